namespace IdentityProvider.Tests.BadInput;

/// <summary>The most rows of one table that a request may add, change and remove.</summary>
public sealed record TableChange(int Added, int Changed, int Removed)
{
    public TableChange Plus(TableChange other) => new(Added + other.Added, Changed + other.Changed, Removed + other.Removed);

    public bool Allows(TableChange actual) => actual.Added <= Added && actual.Changed <= Changed && actual.Removed <= Removed;

    public override string ToString() => $"+{Added} ~{Changed} -{Removed}";
}
