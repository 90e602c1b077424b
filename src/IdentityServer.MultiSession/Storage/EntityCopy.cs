using System.Linq.Expressions;
using System.Reflection;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// A shallow copy of an entity's scalar properties (every public read-write property whose type is a value type, a string or a
/// byte array; navigations are left out), compiled once per type. The lookup cache hands out copies, because the session
/// service writes to the entities it is given (last-seen time, stamp check).
/// </summary>
/// <typeparam name="T">The entity type.</typeparam>
internal static class EntityCopy<T>
    where T : class, new()
{
    private static readonly Func<T, T> Copier = Build();

    public static T Of(T source) => Copier(source);

    private static Func<T, T> Build()
    {
        var source = Expression.Parameter(typeof(T), "source");
        var bindings = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0
                && (p.PropertyType.IsValueType || p.PropertyType == typeof(string) || p.PropertyType == typeof(byte[])))
            .Select(p => (MemberBinding)Expression.Bind(p, Expression.Property(source, p)));
        return Expression.Lambda<Func<T, T>>(Expression.MemberInit(Expression.New(typeof(T)), bindings), source).Compile();
    }
}
