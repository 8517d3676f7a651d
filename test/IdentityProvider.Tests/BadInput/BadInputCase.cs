namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// One test case: an endpoint's valid request, changed by one hostile input in one field (or in
/// the request as a whole; neither for the baseline case itself), and what it must get.
/// </summary>
public sealed record BadInputCase(BadInputEndpoint Endpoint, Field? Field, HostileInput? Input, Expect Expect)
{
    /// <summary><c>Post_AccountLogin_Email_XssScript</c>: the endpoint, the field and the input.</summary>
    public string Name => Input is null ? Endpoint.DisplayName + "_Baseline"
        : Field is null ? Endpoint.DisplayName + "_" + Input.Name
        : Endpoint.DisplayName + "_" + Field.DisplayName + "_" + Input.Name;

    public bool English => Input?.English == true;

    public async Task<BadInputRequest> RequestAsync(BadInputWorld world)
    {
        var request = await Endpoint.Baseline(world);
        Input?.Apply(request, Field, world);
        if (English)
        {
            request.AcceptLanguage = "en";
        }

        return request;
    }

    public override string ToString() => Name;
}
