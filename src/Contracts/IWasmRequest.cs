namespace Airlock;

/// <summary>
/// Marks a request type, usually one case of a polymorphic request union, with the type a plugin
/// answers it with. The generated per-case method returns <typeparamref name="TResult"/>.
/// </summary>
/// <typeparam name="TResult">The result a plugin returns for this request.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1040:Avoid empty interfaces", Justification = "A typed marker the generator reads: it carries TResult.")]
public interface IWasmRequest<TResult>;
