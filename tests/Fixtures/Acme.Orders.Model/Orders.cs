using System.Text.Json.Serialization;

namespace Acme.Orders.Model;

/// <summary>An order to price.</summary>
/// <param name="Id">The order's id.</param>
/// <param name="Lines">Its lines.</param>
public sealed record Order(string Id, IReadOnlyList<OrderLine> Lines);

/// <summary>One line of an order.</summary>
/// <param name="Sku">The item.</param>
/// <param name="Quantity">How many.</param>
public sealed record OrderLine(string Sku, int Quantity);

/// <summary>What pricing an order answered.</summary>
/// <param name="TotalCents">The total, in cents.</param>
public sealed record Quote(long TotalCents);

/// <summary>JSON metadata of the order payloads.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(Quote))]
public sealed partial class OrdersJsonContext : JsonSerializerContext;

/// <summary>The exports every order plugin has, shared by the contracts that extend it (as Driftless's two contracts share theirs).</summary>
public interface IOrderExports
{
    /// <summary>Prices an order (<c>price_order</c>).</summary>
    /// <param name="order">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The quote.</returns>
    [Airlock.WasmExport("price_order", Envelope = Airlock.WasmResponseEnvelope.Status)]
    ValueTask<Quote> PriceOrderAsync(Order order, CancellationToken cancellationToken = default);
}
