using System.Reflection;
using System.Text;

namespace IdentityProvider.Tests.Architecture;

/// <summary>
/// Which top-level folder of <c>src/IdentityProvider</c> uses which, computed from the compiled
/// types (a folder is the namespace segment after <c>IdentityProvider.</c>), with the type
/// references behind each arrow so that a failure can name them.
/// </summary>
internal sealed class FolderGraph
{
    /// <summary>The entry point: top-level statements compile into <c>Program</c> in the global namespace.</summary>
    public const string Program = "Program";

    /// <summary>Types in the root namespace <c>IdentityProvider</c> itself.</summary>
    public const string Root = "(root)";

    private readonly Dictionary<string, Dictionary<string, SortedSet<string>>> edges = new(StringComparer.Ordinal);

    /// <summary>The folders <paramref name="folder"/> uses, each with the references behind the arrow ("Source → Target").</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> From(string folder) =>
        edges.TryGetValue(folder, out var targets) ? targets : new Dictionary<string, SortedSet<string>>();

    public IEnumerable<string> Folders => edges.Keys.Concat(edges.Values.SelectMany(t => t.Keys)).Distinct().Order(StringComparer.Ordinal);

    public static FolderGraph Of(Assembly assembly)
    {
        var graph = new FolderGraph();
        foreach (var type in assembly.GetTypes())
        {
            var source = TypeReferences.Outermost(type);
            if (FolderOf(source) is not { } from)
            {
                continue;
            }

            foreach (var referenced in TypeReferences.Of(type))
            {
                var target = TypeReferences.Outermost(referenced);
                if (FolderOf(target) is { } to && to != from)
                {
                    graph.Add(from, to, $"{Name(source)} → {Name(target)}");
                }
            }
        }

        return graph;
    }

    /// <summary>The folder of a type of this solution, or null for a framework or library type.</summary>
    public static string? FolderOf(Type type)
    {
        var space = type.Namespace;
        if (space is null && type.Name == Program)
        {
            return Program;
        }

        // Compiled Razor views: they belong to the pages they render.
        if (space == "AspNetCoreGeneratedDocument")
        {
            return "Pages";
        }

        if (space == "IdentityProvider")
        {
            return Root;
        }

        return space is not null && space.StartsWith("IdentityProvider.", StringComparison.Ordinal)
            ? space.Split('.')[1]
            : null;
    }

    public void Add(string from, string to, string reference)
    {
        if (!edges.TryGetValue(from, out var targets))
        {
            edges[from] = targets = new(StringComparer.Ordinal);
        }

        if (!targets.TryGetValue(to, out var references))
        {
            targets[to] = references = new(StringComparer.Ordinal);
        }

        references.Add(reference);
    }

    /// <summary>
    /// For each strongly connected group of folders (Tarjan), the shortest cycle through each of its
    /// members, each as its path <c>A → B → … → A</c> and each cycle once. Empty when the folders
    /// form a directed acyclic graph.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var cycles = new List<IReadOnlyList<string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in StronglyConnected().Where(g => g.Count > 1))
        {
            foreach (var member in group.Order(StringComparer.Ordinal))
            {
                var cycle = ShortestCycle(member, group);
                var first = cycle.Take(cycle.Count - 1).Min(StringComparer.Ordinal)!;
                var at = cycle.IndexOf(first);
                List<string> rotated = [.. cycle.Skip(at).Take(cycle.Count - 1 - at), .. cycle.Take(at), first];
                if (seen.Add(string.Join(" → ", rotated)))
                {
                    cycles.Add(rotated);
                }
            }
        }

        return cycles;
    }

    /// <summary>A cycle as text, each arrow followed by the references behind it.</summary>
    public string Describe(IReadOnlyList<string> cycle)
    {
        var text = new StringBuilder(string.Join(" → ", cycle)).AppendLine();
        for (var i = 0; i + 1 < cycle.Count; i++)
        {
            text.Append("  ").Append(cycle[i]).Append(" → ").Append(cycle[i + 1]).AppendLine(":");
            foreach (var reference in From(cycle[i])[cycle[i + 1]])
            {
                text.Append("    ").AppendLine(reference);
            }
        }

        return text.ToString();
    }

    private List<string> ShortestCycle(string start, IReadOnlySet<string> group)
    {
        // Breadth-first from start's successors back to start, inside the group.
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        foreach (var next in From(start).Keys.Where(group.Contains).Order(StringComparer.Ordinal))
        {
            previous[next] = start;
            queue.Enqueue(next);
        }

        while (queue.Count > 0 && !previous.ContainsKey(start))
        {
            var current = queue.Dequeue();
            foreach (var next in From(current).Keys.Where(group.Contains).Order(StringComparer.Ordinal))
            {
                if (previous.TryAdd(next, current))
                {
                    queue.Enqueue(next);
                }
            }
        }

        var path = new List<string> { start };
        for (var at = previous[start]; at != start; at = previous[at])
        {
            path.Add(at);
        }

        path.Add(start);
        path.Reverse();
        return path;
    }

    private List<HashSet<string>> StronglyConnected()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<HashSet<string>>();
        var counter = 0;

        void Visit(string folder)
        {
            index[folder] = low[folder] = counter++;
            stack.Push(folder);
            onStack.Add(folder);
            foreach (var next in From(folder).Keys)
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[folder] = Math.Min(low[folder], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[folder] = Math.Min(low[folder], index[next]);
                }
            }

            if (low[folder] == index[folder])
            {
                var group = new HashSet<string>(StringComparer.Ordinal);
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    group.Add(member);
                }
                while (member != folder);
                groups.Add(group);
            }
        }

        foreach (var folder in Folders.Where(f => !index.ContainsKey(f)))
        {
            Visit(folder);
        }

        return groups;
    }

    private static string Name(Type type) => type.FullName ?? type.Name;
}
