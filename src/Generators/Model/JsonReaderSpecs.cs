using Airlock.Generators.Infrastructure;

namespace Airlock.Generators.Model;

/// <summary>How a generated JSON reader reads, or a generated case writer writes, one member's value.</summary>
internal enum JsonValueRead
{
    /// <summary>Through the member type's System.Text.Json metadata.</summary>
    Metadata,
    String,
    Boolean,
    Int32,
    Int64,
    Double,

    /// <summary>A list of strings written by index (case writers only; readers read lists through their metadata).</summary>
    StringList,
}

/// <summary>How a read member reaches the object.</summary>
internal enum JsonMemberBinding
{
    /// <summary>A constructor argument.</summary>
    Constructor,

    /// <summary>Set after construction, only when the JSON has it (a settable property).</summary>
    Setter,

    /// <summary>Set in the object initializer (a required member: the JSON always has it when the pass succeeds).</summary>
    Initializer,

    /// <summary>Not settable: System.Text.Json ignores it, so the pass hands such a response to System.Text.Json.</summary>
    ReadOnly,
}

/// <summary>One member of a result type a generated reader reads.</summary>
/// <param name="JsonName">Its JSON name.</param>
/// <param name="ClrName">Its property name.</param>
/// <param name="Type">Its fully qualified type with nullable annotations.</param>
/// <param name="BareType">Its fully qualified type without nullable annotations of reference types (for <c>typeof</c>).</param>
/// <param name="Read">How its value is read.</param>
/// <param name="IsValueType">Whether the type is a value type (its local needs no nullable annotation).</param>
/// <param name="Binding">How it reaches the object.</param>
/// <param name="Position">Its constructor parameter's position, or -1.</param>
/// <param name="DefaultLiteral">Its constructor parameter's default value as C#, or null when it has none.</param>
internal sealed record JsonMemberSpec(
    string JsonName,
    string ClrName,
    string Type,
    string BareType,
    JsonValueRead Read,
    bool IsValueType,
    JsonMemberBinding Binding,
    int Position,
    string? DefaultLiteral);

/// <summary>A result type the generator reads in one <c>Utf8JsonReader</c> pass.</summary>
/// <param name="Type">The type, fully qualified.</param>
/// <param name="ClassName">The generated reader's class name.</param>
/// <param name="Members">The members, in the type's order.</param>
internal sealed record JsonReaderSpec(string Type, string ClassName, ImmutableEquatableArray<JsonMemberSpec> Members);

/// <summary>One member a generated union-case writer writes: from the method's argument it is made of, or from the case object's property.</summary>
/// <param name="JsonName">Its JSON name.</param>
/// <param name="Property">The property it is read from.</param>
/// <param name="Type">The property's fully qualified type with nullable annotations.</param>
/// <param name="BareType">The member's type without nullable annotations of reference types (for <c>typeof</c>).</param>
/// <param name="Kind">How it is written.</param>
/// <param name="IsValueType">Whether it is a value type that cannot be null (never omitted).</param>
/// <param name="Argument">The position of the constructor argument the property holds as it is, or -1 when the property's value cannot be told from the source.</param>
/// <param name="EmptyWhenNull">Whether the property turns a null argument into an empty list (<c>= Argument ?? []</c>).</param>
internal sealed record CaseMemberSpec(string JsonName, string Property, string Type, string BareType, JsonValueRead Kind, bool IsValueType, int Argument, bool EmptyWhenNull);
