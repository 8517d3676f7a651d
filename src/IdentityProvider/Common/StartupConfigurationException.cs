namespace IdentityProvider.Common;

/// <summary>
/// Configuration the server cannot start with. Its message is the one line an operator reads
/// (it names the key and what to do), so nothing around it adds a stack trace.
/// </summary>
public sealed class StartupConfigurationException(string message, Exception? innerException = null)
    : Exception(message, innerException);
