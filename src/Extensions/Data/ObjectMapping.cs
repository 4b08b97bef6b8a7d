using System.Reflection;

namespace TorchZoo.Extensions.Data;

/// <summary>Maps the public properties and fields of a row class to columns and back.</summary>
internal static class ObjectMapping
{
    internal sealed record Member(string Column, string MemberName, Type Type, int[]? Dimensions, Func<object, object?> Get, Action<object, object?>? Set);

    public static List<Member> MembersOf(Type type)
    {
        var members = new List<Member>();
        foreach (MemberInfo m in type.GetMembers(BindingFlags.Public | BindingFlags.Instance))
        {
            if (m.GetCustomAttribute<NoColumnAttribute>() is not null) continue;
            string column = m.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? m.Name;
            int[]? dims = m.GetCustomAttribute<VectorTypeAttribute>()?.Dimensions;
            switch (m)
            {
                case PropertyInfo p when p.GetIndexParameters().Length == 0 && p.CanRead:
                    members.Add(new Member(column, p.Name, p.PropertyType, dims, p.GetValue, p.CanWrite ? p.SetValue : null));
                    break;
                case FieldInfo f:
                    members.Add(new Member(column, f.Name, f.FieldType, dims, f.GetValue, f.IsInitOnly ? null : f.SetValue));
                    break;
            }
        }
        return members;
    }

    public static DataViewType TypeOf(Member m, Type owner)
    {
        if (m.Type == typeof(float)) return NumberDataViewType.Single;
        if (m.Type == typeof(double)) return NumberDataViewType.Double;
        if (m.Type == typeof(int)) return NumberDataViewType.Int32;
        if (m.Type == typeof(long)) return NumberDataViewType.Int64;
        if (m.Type == typeof(bool)) return NumberDataViewType.Boolean;
        if (m.Type == typeof(string)) return TextDataViewType.Instance;
        if (m.Type == typeof(float[]))
        {
            if (m.Dimensions is null)
                throw new ArgumentException($"{owner.Name}.{m.MemberName} is a float[] without [VectorType(...)]: declare its shape, e.g. [VectorType(1, 64, 64)].");
            return new VectorDataViewType(m.Dimensions);
        }
        throw new ArgumentException($"{owner.Name}.{m.MemberName} has type {m.Type.Name}; columns can be float, double, int, long, bool, string or float[] (mark other members [NoColumn]).");
    }
}
