using Microsoft.Extensions.Options;
using MimeKit;

namespace IdentityProvider.Mail;

/// <summary>
/// <see cref="MailMode.Pickup"/>: each message becomes one <c>.eml</c> file in
/// <see cref="MailOptions.PickupDirectory"/>, for a developer to open or a relay to pick up.
/// </summary>
internal sealed partial class PickupMailTransport(
    MimeMessageFactory messages,
    IOptions<MailOptions> options,
    TimeProvider time,
    ILogger<PickupMailTransport> logger) : IMailTransport
{
    /// <summary>RFC 5322 lines end in CRLF on every OS, so that the files read the same everywhere.</summary>
    private static readonly FormatOptions Format = CreateFormat();

    public async Task SendAsync(MailMessageContent message, CancellationToken cancellationToken)
    {
        var mime = messages.Create(message);
        var directory = options.Value.PickupDirectory;

        // Sorts by time in a directory listing; the GUID keeps names unique across threads and nodes.
        var path = Path.Combine(directory, $"{time.GetUtcNow():yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid():N}.eml");

        // Written under a name no reader looks for (*.eml), then renamed within the same directory:
        // the rename is atomic, so a reader sees the whole file or none of it.
        var temporary = path + ".tmp";
        try
        {
            Directory.CreateDirectory(directory);
            await WriteAsync(mime, temporary, cancellationToken);
            File.Move(temporary, path);
        }
        catch (Exception e)
        {
            DeleteQuietly(temporary);
            if (e is IOException or UnauthorizedAccessException)
            {
                // Disk full or a locked file may pass; a directory we may not write to will not.
                var kind = e is UnauthorizedAccessException ? MailFailureKind.Configuration : MailFailureKind.Transient;
                throw new MailTransportException(kind, $"Could not write the mail to the pickup directory {directory}.", e);
            }

            throw;
        }

        LogWritten(logger, mime.MessageId, path);
    }

    private static async Task WriteAsync(MimeMessage mime, string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 4096, useAsync: true);
        await mime.WriteToAsync(Format, file, cancellationToken);

        // On disk before the rename, or a crash could leave a complete name over empty content.
        file.Flush(flushToDisk: true);
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing reads *.tmp; a leftover costs disk space only.
        }
    }

    private static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail <{MessageId}> written to {Path}")]
    private static partial void LogWritten(ILogger logger, string? messageId, string path);
}
