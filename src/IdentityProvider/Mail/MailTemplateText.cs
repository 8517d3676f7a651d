using System.Collections.Concurrent;
using System.Reflection;

namespace IdentityProvider.Mail;

/// <summary>
/// One template in one language, read from the embedded Mail/Templates/{Template}_{lang}.txt: the
/// first line is the subject, the rest the body; every mail ends with the language's footer.
/// Text files (not resx) keep the manual's multi-line wording reviewable as it is sent.
/// </summary>
internal sealed record MailTemplateText(string Subject, string Body, string Footer)
{
    private static readonly ConcurrentDictionary<(MailTemplate, string), MailTemplateText> Cache = new();

    public static MailTemplateText Get(MailTemplate template, string language) =>
        Cache.GetOrAdd((template, language), key =>
        {
            var text = Read($"{key.Item1}_{key.Item2}.txt");
            var newLine = text.IndexOf('\n', StringComparison.Ordinal);
            return new MailTemplateText(
                text[..newLine].Trim(),
                text[(newLine + 1)..].Trim('\n'),
                Read($"_footer_{key.Item2}.txt").Trim('\n'));
        });

    private static string Read(string fileName)
    {
        var name = $"IdentityProvider.Mail.Templates.{fileName}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The mail template {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }
}
