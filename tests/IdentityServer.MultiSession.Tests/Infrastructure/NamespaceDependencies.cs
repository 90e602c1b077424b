using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// What each namespace of an assembly really uses of the assembly's other namespaces, read from its metadata and IL: base types,
/// interfaces, generic constraints, field, property, event and method signatures, custom attributes, local variables, and every
/// type, method and field token in method bodies. Nested and compiler-generated types (lambdas, async state machines) count for
/// the namespace of their outermost declaring type, so code in a lambda or an async method counts where it was written.
/// </summary>
internal sealed class NamespaceDependencies
{
    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value, code => code.OperandType);

    private NamespaceDependencies(IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlySet<(string User, string Used)>>> edges) => Edges = edges;

    /// <summary>namespace → used namespace → which type of the first uses which type of the second.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlySet<(string User, string Used)>>> Edges { get; }

    public IEnumerable<string> Namespaces => Edges.Keys;

    public IReadOnlySet<(string User, string Used)> Uses(string from, string to) =>
        Edges.TryGetValue(from, out var targets) && targets.TryGetValue(to, out var uses) ? uses : new HashSet<(string, string)>();

    /// <summary>The same uses less those of the types <paramref name="allowed"/> names (an edge left with none goes).</summary>
    public NamespaceDependencies Without(IEnumerable<(string From, string To, string Type)> allowed)
    {
        var allowedSet = allowed.ToHashSet();
        return new NamespaceDependencies(Edges.ToDictionary(
            e => e.Key,
            e => (IReadOnlyDictionary<string, IReadOnlySet<(string User, string Used)>>)e.Value
                .Select(t => (t.Key, Uses: (IReadOnlySet<(string User, string Used)>)t.Value.Where(u => !allowedSet.Contains((e.Key, t.Key, u.Used))).ToHashSet()))
                .Where(t => t.Uses.Count > 0)
                .ToDictionary(t => t.Key, t => t.Uses)));
    }

    public static NamespaceDependencies Read(string assemblyPath, Func<string, string> group)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var edges = new Dictionary<string, Dictionary<string, HashSet<(string User, string Used)>>>();

        foreach (var handle in reader.TypeDefinitions)
        {
            var outer = Outermost(reader, handle);
            var from = group(reader.GetString(reader.GetTypeDefinition(outer).Namespace));
            var user = reader.GetString(reader.GetTypeDefinition(outer).Name);
            var used = new HashSet<TypeDefinitionHandle>();
            var collector = new Collector(reader, used);
            CollectType(reader, pe, handle, collector);

            foreach (var target in used)
            {
                var to = group(reader.GetString(reader.GetTypeDefinition(Outermost(reader, target)).Namespace));
                if (to == from)
                {
                    continue;
                }

                if (!edges.TryGetValue(from, out var targets))
                {
                    edges[from] = targets = [];
                }

                if (!targets.TryGetValue(to, out var uses))
                {
                    targets[to] = uses = [];
                }

                uses.Add((user, reader.GetString(reader.GetTypeDefinition(Outermost(reader, target)).Name)));
            }

            edges.TryAdd(from, []);
        }

        return new NamespaceDependencies(edges.ToDictionary(
            e => e.Key,
            e => (IReadOnlyDictionary<string, IReadOnlySet<(string User, string Used)>>)e.Value.ToDictionary(t => t.Key, t => (IReadOnlySet<(string User, string Used)>)t.Value)));
    }

    /// <summary>The cycles between namespaces (strongly connected components of more than one namespace).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = 0;
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var indices = new Dictionary<string, int>();
        var lowLinks = new Dictionary<string, int>();
        var components = new List<IReadOnlyList<string>>();

        void Visit(string node)
        {
            indices[node] = lowLinks[node] = index++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in Edges.TryGetValue(node, out var targets) ? targets.Keys : [])
            {
                if (!indices.ContainsKey(next))
                {
                    Visit(next);
                    lowLinks[node] = Math.Min(lowLinks[node], lowLinks[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowLinks[node] = Math.Min(lowLinks[node], indices[next]);
                }
            }

            if (lowLinks[node] == indices[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    components.Add(component);
                }
            }
        }

        foreach (var node in Edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!indices.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;
    }

    public override string ToString() => string.Join(
        Environment.NewLine,
        Edges.OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => e.Value.OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => $"{e.Key} -> {t.Key} ({Describe(t.Value)})")));

    public static string Describe(IEnumerable<(string User, string Used)> uses) =>
        string.Join(", ", uses.Select(u => $"{u.User} uses {u.Used}").Order(StringComparer.Ordinal));

    private static TypeDefinitionHandle Outermost(MetadataReader reader, TypeDefinitionHandle handle)
    {
        while (true)
        {
            var declaring = reader.GetTypeDefinition(handle).GetDeclaringType();
            if (declaring.IsNil)
            {
                return handle;
            }

            handle = declaring;
        }
    }

    private static void CollectType(MetadataReader reader, PEReader pe, TypeDefinitionHandle handle, Collector collector)
    {
        var type = reader.GetTypeDefinition(handle);
        collector.Entity(type.BaseType);
        foreach (var implementation in type.GetInterfaceImplementations())
        {
            collector.Entity(reader.GetInterfaceImplementation(implementation).Interface);
        }

        collector.Attributes(type.GetCustomAttributes());
        collector.GenericParameters(type.GetGenericParameters());

        foreach (var fieldHandle in type.GetFields())
        {
            var field = reader.GetFieldDefinition(fieldHandle);
            field.DecodeSignature(collector, genericContext: null);
            collector.Attributes(field.GetCustomAttributes());
        }

        foreach (var propertyHandle in type.GetProperties())
        {
            var property = reader.GetPropertyDefinition(propertyHandle);
            property.DecodeSignature(collector, genericContext: null);
            collector.Attributes(property.GetCustomAttributes());
        }

        foreach (var eventHandle in type.GetEvents())
        {
            var @event = reader.GetEventDefinition(eventHandle);
            collector.Entity(@event.Type);
        }

        foreach (var methodHandle in type.GetMethods())
        {
            var method = reader.GetMethodDefinition(methodHandle);
            method.DecodeSignature(collector, genericContext: null);
            collector.Attributes(method.GetCustomAttributes());
            collector.GenericParameters(method.GetGenericParameters());
            foreach (var parameterHandle in method.GetParameters())
            {
                collector.Attributes(reader.GetParameter(parameterHandle).GetCustomAttributes());
            }

            if (method.RelativeVirtualAddress != 0)
            {
                CollectBody(reader, pe.GetMethodBody(method.RelativeVirtualAddress), collector);
            }
        }
    }

    private static void CollectBody(MetadataReader reader, MethodBodyBlock body, Collector collector)
    {
        if (!body.LocalSignature.IsNil)
        {
            reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(collector, genericContext: null);
        }

        foreach (var region in body.ExceptionRegions)
        {
            collector.Entity(region.CatchType);
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il.ReadByte()));
            }

            switch (OperandTypes[value])
            {
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    collector.Entity(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                case OperandType.InlineSwitch:
                    il.Offset += 4 * il.ReadInt32();
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineBrTarget:
                case OperandType.InlineI:
                case OperandType.InlineSig:
                case OperandType.InlineString:
                case OperandType.ShortInlineR:
                    il.Offset += 4;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
            }
        }
    }

    /// <summary>Records the assembly's own types found in signatures and tokens; types of other assemblies are ignored.</summary>
    private sealed class Collector(MetadataReader reader, HashSet<TypeDefinitionHandle> used) : ISignatureTypeProvider<object?, object?>
    {
        public void Entity(EntityHandle handle)
        {
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    used.Add((TypeDefinitionHandle)handle);
                    break;
                case HandleKind.TypeSpecification:
                    reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, genericContext: null);
                    break;
                case HandleKind.MethodDefinition:
                    used.Add(reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    used.Add(reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    Entity(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        member.DecodeMethodSignature(this, genericContext: null);
                    }
                    else
                    {
                        member.DecodeFieldSignature(this, genericContext: null);
                    }

                    break;
                case HandleKind.MethodSpecification:
                    var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Entity(specification.Method);
                    specification.DecodeSignature(this, genericContext: null);
                    break;
            }
        }

        public void Attributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var attribute in attributes)
            {
                Entity(reader.GetCustomAttribute(attribute).Constructor);
            }
        }

        public void GenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var parameter in parameters)
            {
                foreach (var constraint in reader.GetGenericParameter(parameter).GetConstraints())
                {
                    Entity(reader.GetGenericParameterConstraint(constraint).Type);
                }
            }
        }

        public object? GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            used.Add(handle);
            return null;
        }

        public object? GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
        {
            metadata.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
            return null;
        }

        public object? GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => null;

        public object? GetArrayType(object? elementType, ArrayShape shape) => null;

        public object? GetByReferenceType(object? elementType) => null;

        public object? GetFunctionPointerType(MethodSignature<object?> signature) => null;

        public object? GetGenericInstantiation(object? genericType, ImmutableArray<object?> typeArguments) => null;

        public object? GetGenericMethodParameter(object? genericContext, int index) => null;

        public object? GetGenericTypeParameter(object? genericContext, int index) => null;

        public object? GetModifiedType(object? modifier, object? unmodifiedType, bool isRequired) => null;

        public object? GetPinnedType(object? elementType) => null;

        public object? GetPointerType(object? elementType) => null;

        public object? GetPrimitiveType(PrimitiveTypeCode typeCode) => null;

        public object? GetSZArrayType(object? elementType) => null;
    }
}
