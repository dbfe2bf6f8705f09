namespace Compliance.Portal.Layout;

/// <summary>What is wrong with a form, field by field in page order: the error summary lists them, each field shows its own.</summary>
public sealed class FormErrors
{
    private readonly List<(string Field, string Message)> errors = [];

    public IReadOnlyList<(string Field, string Message)> All => errors;

    public bool Any => errors.Count > 0;

    /// <summary>Records <paramref name="message"/> for the field whose input has the id <paramref name="field"/> (the first message per field counts).</summary>
    public void Add(string field, string message)
    {
        if (For(field) is null)
        {
            errors.Add((field, message));
        }
    }

    public string? For(string field) => errors.FirstOrDefault(e => e.Field == field).Message;
}
