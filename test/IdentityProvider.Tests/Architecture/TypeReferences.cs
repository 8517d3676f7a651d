using System.Reflection;
using System.Reflection.Emit;

namespace IdentityProvider.Tests.Architecture;

/// <summary>
/// The types a compiled type refers to: its base type and interfaces, the signatures of its members,
/// attributes, local variables, caught exceptions and every type, method and field its IL names.
/// Nested and compiler-generated types (lambdas, async state machines) count for the type that
/// declares them. Constants are inlined by the compiler and leave no reference.
/// </summary>
internal static class TypeReferences
{
    private const BindingFlags Declared =
        BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    /// <summary>The outermost type that declares <paramref name="type"/>.</summary>
    public static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } declaring)
        {
            type = declaring;
        }

        return type;
    }

    /// <summary>Every type <paramref name="type"/> refers to, generic arguments and element types unwrapped.</summary>
    public static IReadOnlySet<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t) => Unwrap(t, found);

        Add(type.BaseType);
        foreach (var contract in type.GetInterfaces())
        {
            Add(contract);
        }

        AddAttributes(type.GetCustomAttributesData(), found);
        foreach (var field in type.GetFields(Declared))
        {
            Add(field.FieldType);
            AddAttributes(field.GetCustomAttributesData(), found);
        }

        foreach (var property in type.GetProperties(Declared))
        {
            Add(property.PropertyType);
            AddAttributes(property.GetCustomAttributesData(), found);
        }

        foreach (var @event in type.GetEvents(Declared))
        {
            Add(@event.EventHandlerType);
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            AddMethod(type, method, found);
        }

        return found;
    }

    private static void AddMethod(Type type, MethodBase method, HashSet<Type> found)
    {
        AddAttributes(method.GetCustomAttributesData(), found);
        if (method is MethodInfo info)
        {
            Unwrap(info.ReturnType, found);
        }

        foreach (var parameter in method.GetParameters())
        {
            Unwrap(parameter.ParameterType, found);
            AddAttributes(parameter.GetCustomAttributesData(), found);
        }

        if (method.IsGenericMethodDefinition)
        {
            foreach (var constraint in method.GetGenericArguments().SelectMany(a => a.GetGenericParameterConstraints()))
            {
                Unwrap(constraint, found);
            }
        }

        if (method.GetMethodBody() is not { } body)
        {
            return;
        }

        foreach (var local in body.LocalVariables)
        {
            Unwrap(local.LocalType, found);
        }

        foreach (var clause in body.ExceptionHandlingClauses.Where(c => c.Flags == ExceptionHandlingClauseOptions.Clause))
        {
            Unwrap(clause.CatchType, found);
        }

        var typeArguments = type.IsGenericType ? type.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        foreach (var token in Tokens(body.GetILAsByteArray() ?? []))
        {
            switch (method.Module.ResolveMember(token, typeArguments, methodArguments))
            {
                case Type referenced:
                    Unwrap(referenced, found);
                    break;
                case MethodBase called:
                    Unwrap(called.DeclaringType, found);
                    if (called is MethodInfo { IsGenericMethod: true } generic)
                    {
                        foreach (var argument in generic.GetGenericArguments())
                        {
                            Unwrap(argument, found);
                        }
                    }

                    break;
                case FieldInfo field:
                    Unwrap(field.DeclaringType, found);
                    Unwrap(field.FieldType, found);
                    break;
            }
        }
    }

    /// <summary>The metadata tokens of the IL's type, method, field and <c>ldtoken</c> operands.</summary>
    private static IEnumerable<int> Tokens(byte[] il)
    {
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il[position++]));
            }

            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    yield return BitConverter.ToInt32(il, position);
                    position += 4;
                    break;
                case OperandType.InlineSwitch:
                    position += 4 + 4 * BitConverter.ToInt32(il, position);
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    position += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                    position += 4;
                    break;
                case OperandType.InlineVar:
                    position += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    position += 1;
                    break;
            }
        }
    }

    private static void AddAttributes(IEnumerable<CustomAttributeData> attributes, HashSet<Type> found)
    {
        foreach (var attribute in attributes)
        {
            Unwrap(attribute.AttributeType, found);
            foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue)))
            {
                if (argument.Value is Type referenced)
                {
                    Unwrap(referenced, found);
                }
            }
        }
    }

    private static void Unwrap(Type? type, HashSet<Type> found)
    {
        while (type is { HasElementType: true })
        {
            type = type.GetElementType();
        }

        if (type is null || type.IsGenericParameter)
        {
            return;
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                Unwrap(argument, found);
            }

            type = type.GetGenericTypeDefinition();
        }

        found.Add(type);
    }
}
