namespace IdentityProvider.Mail;

/// <summary>A rendered mail: subject, plain text and HTML bodies.</summary>
public sealed record ComposedMail(string Subject, string TextBody, string? HtmlBody);
