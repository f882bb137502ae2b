using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Cli.Plugins;

/// <summary>One <see cref="WasmExportAttribute"/> method of a typed contract: the export name and the method the generated client implements it with.</summary>
/// <param name="Name">The export's name in the module.</param>
/// <param name="Method">The contract's method.</param>
internal sealed record TypedExport(string Name, MethodInfo Method)
{
    /// <summary>The method's arguments, without its <see cref="CancellationToken"/>.</summary>
    public IReadOnlyList<ParameterInfo> Arguments { get; } = [.. Method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken))];

    /// <summary>What the call's input looks like, for messages: the argument, or an object of the arguments.</summary>
    public string InputShape(JsonNamingPolicy? naming) => Arguments.Count switch
    {
        0 => "no input",
        1 => $"the {Arguments[0].Name} ({TypeName(Arguments[0].ParameterType)})",
        _ => "{" + string.Join(", ", Arguments.Select(a => $"\"{MemberName(a, naming)}\": {TypeName(a.ParameterType)}")) + "}",
    };

    internal static string MemberName(ParameterInfo argument, JsonNamingPolicy? naming) => naming?.ConvertName(argument.Name!) ?? argument.Name!;

    private static string TypeName(Type type)
        => type == typeof(JsonElement) ? "any JSON" : type == typeof(string) ? "a string" : type.IsGenericType ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(TypeName)) + ">" : type.Name;
}

/// <summary>
/// Calls one export of a plugin loaded by its profile's own typed loader (Lesstruct's fixed-offset hooks, Driftless's
/// wasm-bindgen or packed exports) by its export name: the JSON input becomes the typed method's arguments through the
/// contract's own <see cref="JsonSerializerContext"/>, the generated client does the marshalling and every check, and the
/// typed result is written back to JSON with the same context. Nothing here reads or writes guest memory.
/// </summary>
internal sealed class TypedExports
{
    private readonly IReadOnlyList<TypedExport> _exports;

    private TypedExports(Type contract, JsonSerializerContext json, IReadOnlyList<TypedExport> exports)
    {
        Contract = contract;
        Json = json;
        _exports = exports;
    }

    /// <summary>The contract interface.</summary>
    public Type Contract { get; }

    /// <summary>The contract's JSON metadata (its <see cref="WasmPluginAttribute.JsonContext"/>).</summary>
    public JsonSerializerContext Json { get; }

    /// <summary>The exports of <paramref name="contract"/> (and the interfaces it extends) with the JSON context its <see cref="WasmPluginAttribute"/> names.</summary>
    public static TypedExports Of(Type contract)
    {
        Type context = contract.GetCustomAttribute<WasmPluginAttribute>()?.JsonContext
            ?? throw new InvalidOperationException($"Contract {contract.FullName} names no JsonContext.");
        var json = (JsonSerializerContext)(context.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            ?? throw new InvalidOperationException($"{context.FullName} has no static Default instance."));
        var exports = new List<TypedExport>();
        foreach (Type type in (Type[])[contract, .. contract.GetInterfaces()])
        {
            foreach (MethodInfo method in type.GetMethods())
            {
                if (method.GetCustomAttribute<WasmExportAttribute>() is { } export && exports.All(e => e.Name != export.Name))
                {
                    exports.Add(new TypedExport(export.Name, method));
                }
            }
        }

        return new TypedExports(contract, json, exports);
    }

    /// <summary>Whether the contract binds an export named <paramref name="name"/>.</summary>
    /// <param name="name">The export's name.</param>
    public bool Binds(string name) => _exports.Any(e => e.Name == name);

    /// <summary>The contract's exports that <paramref name="module"/> exports, in the contract's order.</summary>
    public IReadOnlyList<TypedExport> Callable(ModuleFile module)
    {
        var functions = module.Info.Exports.Where(e => e.Kind == Wasm.WasmExternalKind.Function).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        return [.. _exports.Where(e => functions.Contains(e.Name))];
    }

    /// <summary>The callable export named <paramref name="name"/>.</summary>
    /// <exception cref="CliException">The contract has no such export, or the module does not export it (exit 2); the message lists the callable ones.</exception>
    public TypedExport Find(ModuleFile module, string pluginId, string profile, string name)
    {
        IReadOnlyList<TypedExport> callable = Callable(module);
        if (callable.FirstOrDefault(e => e.Name == name) is { } found)
        {
            return found;
        }

        string why = _exports.Any(e => e.Name == name)
            ? $"the {profile} contract has '{name}', but module {module.FileName} does not export it"
            : $"the {profile} contract ({Contract.Name}) has no export '{name}'";
        string list = callable.Count == 0 ? "it has none this contract knows" : "call one of: " + string.Join(", ", callable.Select(e => e.Name));
        throw new CliException(ExitCodes.CouldNot, $"Plugin '{pluginId}' cannot run '{name}': {why}; {list}.");
    }

    /// <summary>
    /// Calls <paramref name="export"/> with <paramref name="input"/> on the first of <paramref name="targets"/> that has the
    /// method (so a loader's wrapper, which adds its own checks, is preferred over the raw generated client).
    /// </summary>
    /// <returns>The result as JSON (<c>null</c> for a hook that made no change).</returns>
    /// <exception cref="CliException">The input does not fit the export's arguments (exit 2).</exception>
    public async Task<JsonElement> InvokeAsync(IReadOnlyList<object> targets, TypedExport export, JsonElement input, CancellationToken cancellationToken)
    {
        object?[] arguments = Bind(export, input, cancellationToken);
        Type[] types = [.. export.Method.GetParameters().Select(p => p.ParameterType)];
        object? pending = null;
        foreach (object target in targets)
        {
            MethodInfo? method = export.Method.DeclaringType!.IsInstanceOfType(target)
                ? export.Method
                : target.GetType().GetMethod(export.Method.Name, BindingFlags.Public | BindingFlags.Instance, types);
            if (method is not null && method.ReturnType == export.Method.ReturnType)
            {
                pending = Call(method, target, arguments);
                break;
            }
        }

        if (pending is null)
        {
            throw new InvalidOperationException($"No target implements {export.Method.Name}.");
        }

        // The contract's methods return ValueTask<T>; awaiting it through Task<T> keeps the result's type.
        var task = (Task)pending.GetType().GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(pending, null)!;
        await task.ConfigureAwait(false);
        object? result = task.GetType().GetProperty(nameof(Task<int>.Result))!.GetValue(task);
        if (result is null)
        {
            using JsonDocument none = JsonDocument.Parse("null");
            return none.RootElement.Clone();
        }

        Type resultType = export.Method.ReturnType.GetGenericArguments()[0];
        return JsonSerializer.SerializeToElement(result, TypeInfo(resultType));
    }

    private static object? Call(MethodInfo method, object target, object?[] arguments)
    {
        try
        {
            return method.Invoke(target, arguments);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(exception.InnerException);
            throw;
        }
    }

    private object?[] Bind(TypedExport export, JsonElement input, CancellationToken cancellationToken)
    {
        ParameterInfo[] parameters = export.Method.GetParameters();
        var values = new object?[parameters.Length];
        JsonNamingPolicy? naming = Json.Options.PropertyNamingPolicy;
        if (export.Arguments.Count == 0 && !(input.ValueKind == JsonValueKind.Object && !input.EnumerateObject().Any()) && input.ValueKind != JsonValueKind.Null)
        {
            throw new CliException(ExitCodes.CouldNot, $"Export '{export.Name}' takes no input; leave it out (or pass {{}}).");
        }

        if (export.Arguments.Count > 1)
        {
            if (input.ValueKind != JsonValueKind.Object)
            {
                throw new CliException(ExitCodes.CouldNot, $"Export '{export.Name}' takes {export.Arguments.Count} arguments: pass them as one JSON object, {export.InputShape(naming)}.");
            }

            var known = export.Arguments.Select(a => TypedExport.MemberName(a, naming)).ToHashSet(StringComparer.Ordinal);
            if (input.EnumerateObject().FirstOrDefault(p => !known.Contains(p.Name)) is { Value.ValueKind: not JsonValueKind.Undefined } extra)
            {
                throw new CliException(ExitCodes.CouldNot, $"Export '{export.Name}' has no argument '{extra.Name}'; its input is {export.InputShape(naming)}.");
            }
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            ParameterInfo parameter = parameters[i];
            if (parameter.ParameterType == typeof(CancellationToken))
            {
                values[i] = cancellationToken;
                continue;
            }

            JsonElement value = input;
            if (export.Arguments.Count > 1 && !input.TryGetProperty(TypedExport.MemberName(parameter, naming), out value))
            {
                throw new CliException(ExitCodes.CouldNot, $"Export '{export.Name}' needs the argument '{TypedExport.MemberName(parameter, naming)}'; its input is {export.InputShape(naming)}.");
            }

            values[i] = Convert(export, parameter, value, naming);
        }

        return values;
    }

    private object? Convert(TypedExport export, ParameterInfo parameter, JsonElement value, JsonNamingPolicy? naming)
    {
        Type type = parameter.ParameterType;
        if (type == typeof(JsonElement))
        {
            return value.Clone();
        }

        if (type == typeof(string))
        {
            return value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : throw new CliException(ExitCodes.CouldNot, $"The argument '{TypedExport.MemberName(parameter, naming)}' of '{export.Name}' is a string; got {value.ValueKind.ToString().ToLowerInvariant()}.");
        }

        try
        {
            return JsonSerializer.Deserialize(value, TypeInfo(type))
                ?? throw new CliException(ExitCodes.CouldNot, $"The argument '{TypedExport.MemberName(parameter, naming)}' of '{export.Name}' cannot be null; its input is {export.InputShape(naming)}.");
        }
        catch (JsonException exception)
        {
            throw new CliException(ExitCodes.CouldNot, $"The input of '{export.Name}' does not fit {export.InputShape(naming)}: {exception.Message}");
        }
    }

    private JsonTypeInfo TypeInfo(Type type)
        => Json.GetTypeInfo(type) ?? throw new InvalidOperationException($"{Json.GetType().Name} has no metadata for {type}.");
}
