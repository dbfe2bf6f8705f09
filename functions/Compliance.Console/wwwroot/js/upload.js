// Uploads the file chosen in an <input type="file"> as the request body, reporting progress to .NET (fetch cannot report
// upload progress; XMLHttpRequest can). Answers a JSON string {status, body, contentType}; status 0 when nothing was sent.
export function upload(url, input, headers, dotnet) {
  return new Promise((resolve) => {
    const file = input && input.files && input.files[0];
    if (!file) {
      resolve(JSON.stringify({ status: 0, body: "", contentType: "" }));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [name, value] of Object.entries(headers || {})) {
      xhr.setRequestHeader(name, value);
    }
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        dotnet.invokeMethodAsync("OnUploadProgress", e.loaded, e.total);
      }
    };
    xhr.onload = () => resolve(JSON.stringify({ status: xhr.status, body: xhr.responseText, contentType: xhr.getResponseHeader("Content-Type") || "" }));
    xhr.onerror = () => resolve(JSON.stringify({ status: 0, body: "", contentType: "" }));
    xhr.send(file);
  });
}
