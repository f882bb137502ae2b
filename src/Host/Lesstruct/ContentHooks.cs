using Airlock.Contracts.Lesstruct;
using Airlock.Discovery;

namespace Airlock.Lesstruct;

/// <summary>
/// Runs the content hooks of every plugin in a directory, plugin by plugin in name order, on the
/// versions serving when the operation began. A failing hook stops the chain with
/// <see cref="ContentHookException"/>; hooks that already ran are not rolled back.
/// </summary>
public sealed class ContentHooks
{
    private readonly PluginDirectory<ILesstructPlugin> _plugins;

    /// <summary>Creates the hook runner over <paramref name="plugins"/>.</summary>
    /// <param name="plugins">The plugin directory.</param>
    public ContentHooks(PluginDirectory<ILesstructPlugin> plugins)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        _plugins = plugins;
    }

    /// <summary>
    /// Runs <c>hook_before_save</c>: each plugin sees the item as the previous one left it, and the
    /// custom fields a plugin returns replace the item's. Nothing else of a result is taken.
    /// </summary>
    /// <param name="item">The item about to be saved.</param>
    /// <param name="cancellationToken">Cancels the remaining hooks.</param>
    /// <returns>The item to save.</returns>
    /// <exception cref="ContentHookException">A hook failed; the item must not be saved.</exception>
    public async Task<ContentItem> BeforeSaveAsync(ContentItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        using PluginLease<ILesstructPlugin> lease = _plugins.Acquire();
        ContentItem current = item;
        foreach (ILesstructPlugin plugin in lease.Plugins)
        {
            if (!plugin.HasBeforeSave)
            {
                continue;
            }

            ContentHookResult? result = await RunAsync(plugin, "hook_before_save", "the content was not saved", plugin.BeforeSaveAsync(current, cancellationToken)).ConfigureAwait(false);
            if (result?.CustomFields is { } fields)
            {
                current = current with { CustomFields = fields };
            }
        }

        return current;
    }

    /// <summary>Runs <c>hook_after_create</c>; results are ignored.</summary>
    /// <param name="item">The created item.</param>
    /// <param name="cancellationToken">Cancels the remaining hooks.</param>
    /// <exception cref="ContentHookException">A hook failed; the content stays created.</exception>
    public Task AfterCreateAsync(ContentItem item, CancellationToken cancellationToken = default)
        => RunAllAsync(item, "hook_after_create", "the content was created but a follow-up step did not run", static p => p.HasAfterCreate, static (p, i, t) => p.AfterCreateAsync(i, t), cancellationToken);

    /// <summary>Runs <c>hook_after_publish</c>; results are ignored.</summary>
    /// <param name="item">The published item.</param>
    /// <param name="cancellationToken">Cancels the remaining hooks.</param>
    /// <exception cref="ContentHookException">A hook failed; the content stays published.</exception>
    public Task AfterPublishAsync(ContentItem item, CancellationToken cancellationToken = default)
        => RunAllAsync(item, "hook_after_publish", "the content was published but a follow-up step did not run", static p => p.HasAfterPublish, static (p, i, t) => p.AfterPublishAsync(i, t), cancellationToken);

    /// <summary>Runs <c>hook_before_delete</c>; results are ignored, an error stops the delete.</summary>
    /// <param name="item">The item about to be deleted.</param>
    /// <param name="cancellationToken">Cancels the remaining hooks.</param>
    /// <exception cref="ContentHookException">A hook failed; the item must not be deleted.</exception>
    public Task BeforeDeleteAsync(ContentItem item, CancellationToken cancellationToken = default)
        => RunAllAsync(item, "hook_before_delete", "the content was not deleted", static p => p.HasBeforeDelete, static (p, i, t) => p.BeforeDeleteAsync(i, t), cancellationToken);

    private async Task RunAllAsync(
        ContentItem item,
        string hook,
        string consequence,
        Func<ILesstructPlugin, bool> has,
        Func<ILesstructPlugin, ContentItem, CancellationToken, ValueTask<ContentHookResult?>> call,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        using PluginLease<ILesstructPlugin> lease = _plugins.Acquire();
        foreach (ILesstructPlugin plugin in lease.Plugins)
        {
            if (has(plugin))
            {
                await RunAsync(plugin, hook, consequence, call(plugin, item, cancellationToken)).ConfigureAwait(false);
            }
        }
    }

    private static async Task<ContentHookResult?> RunAsync(ILesstructPlugin plugin, string hook, string consequence, ValueTask<ContentHookResult?> pending)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (AirlockException exception)
        {
            throw new ContentHookException(plugin.Info.Id, hook, consequence, exception);
        }
    }
}
