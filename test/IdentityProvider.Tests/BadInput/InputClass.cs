namespace IdentityProvider.Tests.BadInput;

/// <summary>The families of hostile input of issue 20's sweep.</summary>
public enum InputClass
{
    Missing,
    Duplicated,
    Oversized,
    WrongType,
    InvalidUtf8,
    Nul,
    Crlf,
    Xss,
    OpenRedirect,
    Sql,
    Unicode,

    /// <summary>Not one field: the body, the media type, the method, the path or an extra parameter.</summary>
    Request,
}
