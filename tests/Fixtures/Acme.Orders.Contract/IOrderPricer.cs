using Acme.Orders.Model;
using Airlock;

namespace Acme.Orders.Contract;

/// <summary>A pricing plugin: the exports of <see cref="IOrderExports"/> (from the model assembly) over the packed ptr+len ABI, no host functions, no WASI.</summary>
[WasmPlugin(JsonContext = typeof(OrdersJsonContext), AllowWasi = false)]
public partial interface IOrderPricer : IOrderExports;
