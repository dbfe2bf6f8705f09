using System.Diagnostics;
using System.Text;

namespace Compliance.SelfHost;

/// <summary>
/// A process the self-host (or a test) starts and waits for: its output is collected, and start-up is over when a line says
/// so. A process that exits first, or does not get there in time, is killed and reported with what it printed.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly StringBuilder output = new();

    private ChildProcess(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>What the process has printed so far, standard output and error interleaved.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="start"/> (its output is redirected here) and waits until <paramref name="isReady"/> returns true
    /// for a line of its standard output.
    /// </summary>
    public static async Task<ChildProcess> StartAsync(ProcessStartInfo start, Func<string, bool> isReady, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(isReady);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var child = new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"'{start.FileName}' could not be started."));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        child.Process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"'{start.FileName}' exited during start-up:\n{child.Output}"));
                return;
            }

            child.Append(e.Data);
            if (isReady(e.Data))
            {
                ready.TrySetResult();
            }
        };
        child.Process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child.Append(e.Data);
            }
        };
        child.Process.BeginOutputReadLine();
        child.Process.BeginErrorReadLine();

        try
        {
            await ready.Task.WaitAsync(timeout, cancellationToken);
            return child;
        }
        catch (TimeoutException ex)
        {
            child.Kill();
            child.Dispose();
            throw new InvalidOperationException($"'{start.FileName}' did not start within {timeout}:\n{child.Output}", ex);
        }
        catch
        {
            child.Kill();
            child.Dispose();
            throw;
        }
    }

    /// <summary>Kills the process and its children at once (SIGKILL on Linux), if it is still running.</summary>
    public void Kill()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose() => Process.Dispose();

    private void Append(string line)
    {
        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
