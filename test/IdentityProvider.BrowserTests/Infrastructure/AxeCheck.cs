using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>
/// axe-core (Deque's engine, run inside the page) on a page as the browser shows it now: no
/// violation of impact "serious" or "critical" is allowed, against the WCAG 2.x A/AA rules and
/// axe's best practices. Minor and moderate findings are reported in the test output, not failed.
/// </summary>
public static class AxeCheck
{
    /// <summary>axe itself has no time limit; a page where it cannot run must fail the test, not hang the run.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static readonly HashSet<string> Failing = new(StringComparer.OrdinalIgnoreCase) { "serious", "critical" };

    private static readonly AxeRunOptions Options = new()
    {
        RunOnly = new RunOnlyOptions
        {
            Type = "tag",
            Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
        },
    };

    /// <summary>
    /// Runs axe on <paramref name="page"/> and fails the test on a serious or critical violation.
    /// The page's context must run scripts (axe is one); <see cref="BrowserFixture"/> checks pages of
    /// a context without scripts as copies.
    /// </summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page, string state)
    {
        var result = await page.RunAxe(Options).WaitAsync(Limit);
        var failing = result.Violations.Where(v => Failing.Contains(v.Impact ?? string.Empty)).ToList();
        foreach (var minor in result.Violations.Except(failing))
        {
            await TestContext.Out.WriteLineAsync($"axe ({state}, {minor.Impact}): {minor.Id} — {minor.Help} at {string.Join(", ", minor.Nodes.Select(n => n.Target?.ToString()))}");
        }

        Assert.That(failing, Is.Empty, () => $"axe-core on {page.Url} ({state}):" + Environment.NewLine + Describe(failing));
    }

    private static string Describe(IEnumerable<AxeResultItem> violations) => string.Join(Environment.NewLine, violations.Select(v =>
        $"  {v.Impact} {v.Id}: {v.Help} ({v.HelpUrl})" + Environment.NewLine +
        string.Join(Environment.NewLine, v.Nodes.Select(n => $"    at {n.Target}: {n.Html}"))));
}
