using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;

// How many password checks per second this machine does: ASP.NET Core Identity's
// PasswordHasher<T>.VerifyHashedPassword with default options (V3: PBKDF2-HMAC-SHA512,
// 100,000 iterations), exactly what the login page costs per sign-in.
//
//   dotnet PasswordHashRate.dll [--threads 2] [--seconds 10] [--warmup 2] [--json out.json]
var threads = Environment.ProcessorCount;
var seconds = 10.0;
var warmup = 2.0;
string? jsonPath = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--warmup": warmup = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--json": jsonPath = args[++i]; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

var options = new PasswordHasherOptions();
var hasher = new PasswordHasher<object>();
const string Password = "Bench-Passw0rd!2026";
var user = new object();
var hash = hasher.HashPassword(user, Password);
if (hasher.VerifyHashedPassword(user, hash, Password) != PasswordVerificationResult.Success)
{
    Console.Error.WriteLine("the hasher does not verify its own hash");
    return 1;
}

long Run(double duration)
{
    long total = 0;
    var stop = Stopwatch.GetTimestamp() + (long)(duration * Stopwatch.Frequency);
    var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
    {
        long count = 0;
        while (Stopwatch.GetTimestamp() < stop)
        {
            if (hasher.VerifyHashedPassword(user, hash, Password) != PasswordVerificationResult.Success)
            {
                throw new InvalidOperationException("verification failed");
            }

            count++;
        }

        Interlocked.Add(ref total, count);
    })).ToList();
    workers.ForEach(t => t.Start());
    workers.ForEach(t => t.Join());
    return total;
}

Run(warmup);
using var self = Process.GetCurrentProcess();
var cpuBefore = self.TotalProcessorTime;
var started = Stopwatch.GetTimestamp();
var verified = Run(seconds);
var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
self.Refresh();
var cpu = (self.TotalProcessorTime - cpuBefore).TotalMilliseconds;
var perSecond = verified / elapsed;
var result = new
{
    algorithm = $"{options.CompatibilityMode} PBKDF2-HMAC-SHA512, {options.IterationCount} iterations",
    threads,
    warmupSeconds = warmup,
    seconds = elapsed,
    verifications = verified,
    perSecond,
    msPerVerificationPerThread = 1000.0 * threads / perSecond,
    // CPU time per verification: unlike the rate, it does not depend on how much of the machine
    // other processes took meanwhile.
    cpuMsPerVerification = cpu / verified,
    cpuPercent = 100.0 * cpu / 1000.0 / elapsed,
};
var json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true });
Console.WriteLine(json);
if (jsonPath is not null)
{
    File.WriteAllText(jsonPath, json);
}

return 0;
