using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>
/// Launches the Debian Chromium (installed by <c>build/test.sh</c>) for Playwright, headless.
/// </summary>
/// <remarks>
/// Why not Playwright's own browser: its download (<c>playwright install</c>) does not work on the
/// build machines, while the Debian package does. The Playwright NuGet package brings its node
/// driver along in the build output (<c>.playwright/</c>), so nothing else has to be installed.
/// The arguments keep Chromium from needing a sandbox (tests run as root in CI), a GPU, or the
/// network for anything but the page under test.
/// </remarks>
public static class BrowserFactory
{
    /// <summary>The browser executable: <c>IDP_TEST_CHROMIUM</c> if set, else /usr/bin/chromium.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("IDP_TEST_CHROMIUM") is { Length: > 0 } configured
            ? configured
            : "/usr/bin/chromium";

    /// <summary>Launches a headless Chromium; throws <see cref="InvalidOperationException"/> if it is not installed.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright pw)
    {
        ArgumentNullException.ThrowIfNull(pw);
        var executablePath = ExecutablePath;
        if (!File.Exists(executablePath))
        {
            throw new InvalidOperationException(
                $"Chromium not found at {executablePath}. Run build/test.sh, which installs the Debian package " +
                "'chromium' (and the CJK fonts for screenshots), or set IDP_TEST_CHROMIUM to a Chromium executable.");
        }

        return pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        });
    }
}
