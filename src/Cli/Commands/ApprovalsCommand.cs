using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Airlock.Auditing;
using Airlock.Cli.Plugins;
using Airlock.Discovery;
using Airlock.Security;
using Spectre.Console;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock approvals list|approve|revoke</c>: the approvals store AddAirlock uses, as an administrator queries it.</summary>
internal static class ApprovalsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command(
            "approvals",
            "List, grant and revoke plugin approvals in the store AddAirlock uses (approvals.db in the data directory). An approval covers one plugin, version, permission set and module SHA-256; revoking makes every version ask again.\n\n"
            + "Examples:\n  airlock approvals list\n  airlock approvals approve com.airlock.samples.chirp-c --yes\n  airlock approvals revoke com.airlock.samples.chirp-c\n\n"
            + "Exit codes: 0 done, 1 refused or nothing to revoke, 2 could not (unknown plugin, unreadable store).");
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Approve(context));
        command.Subcommands.Add(Revoke(context));
        return command;
    }

    private static Command List(CliContext context)
    {
        var plugin = new Option<string?>("--plugin") { Description = "Only this plugin's approvals." };
        var json = new Option<bool>("--json") { Description = "Write the approvals as JSON." };
        var command = new Command("list", "List stored approvals, newest first, and the installed plugins still waiting for one.\n\nExample:\n  airlock approvals list --json") { plugin, json };
        command.SetAction((parsed, _) =>
        {
            using SqliteApprovalStore store = context.OpenApprovals(parsed);
            IReadOnlyList<ApprovalRecord> records = store.List(parsed.GetValue(plugin));
            IReadOnlyList<InstalledPlugin> pending = Pending(context, parsed, store);
            if (parsed.GetValue(json))
            {
                Output.Json(context.Console, new JsonObject
                {
                    ["approvals"] = new JsonArray([.. records.Select(r => (JsonNode)new JsonObject
                    {
                        ["plugin"] = r.PluginId,
                        ["version"] = r.Version,
                        ["permissions"] = new JsonArray([.. Lines(r.Fingerprint).Select(l => (JsonNode)JsonValue.Create(l))]),
                        ["moduleSha256"] = r.ModuleSha256,
                        ["approvedAt"] = r.ApprovedAt.ToString("O", CultureInfo.InvariantCulture),
                        ["approvedBy"] = r.ApprovedBy,
                        ["carriedOverFrom"] = r.CarriedOverFrom,
                    })]),
                    ["pending"] = new JsonArray([.. pending.Select(p => (JsonNode)new JsonObject { ["plugin"] = p.Name, ["version"] = p.Version, ["moduleSha256"] = p.Sha256 })]),
                });
                return Task.FromResult(ExitCodes.Ok);
            }

            Table table = Output.Table("plugin", "version", "permissions", "module", "approved", "by");
            foreach (ApprovalRecord record in records)
            {
                Output.Row(table, record.PluginId, record.Version, string.Join("\n", Lines(record.Fingerprint).DefaultIfEmpty("none")), record.ModuleSha256.Length >= 12 ? record.ModuleSha256[..12] : "(none)", record.ApprovedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), record.ApprovedBy);
            }

            if (records.Count == 0)
            {
                context.Console.Out.WriteLine("No approvals stored in " + context.DataPath(parsed) + ".");
            }
            else
            {
                context.Console.Out.Write(table);
            }

            foreach (InstalledPlugin waiting in pending)
            {
                context.Console.Out.MarkupLine($"[yellow]pending[/] {Markup.Escape(waiting.Name)} {Markup.Escape(waiting.Version)}: installed, but no approval covers its module and permissions (airlock approvals approve {Markup.Escape(waiting.Name)})");
            }

            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command Approve(CliContext context)
    {
        var plugin = new Argument<string>("plugin") { Description = "An installed plugin's id, or a plugin folder or manifest." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Approve without a prompt (recorded in the audit log as such)." };
        var command = new Command("approve", "Approve what an installed (or local) plugin's manifest asks for, with its current module.\n\nExample:\n  airlock approvals approve com.airlock.samples.chirp-c") { plugin, yes };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            PluginPackage package = RunCommand.Resolve(context, parsed, parsed.GetValue(plugin)!, out _);
            ModuleFile module = InspectCommand.Read(package.ModulePath);
            using SqliteApprovalStore store = context.OpenApprovals(parsed);
            using SqliteAuditLog audit = context.OpenAudit(parsed);
            Table table = Output.Table("permission", "since the last approval");
            foreach (PermissionLine line in Approval.Diff(package, store.Latest(package.Id)))
            {
                Output.Row(table, line.Permission, line.Change);
            }

            context.Console.Out.MarkupLine($"[bold]{Markup.Escape(package.Id)}[/] {Markup.Escape(package.Version)}, module sha256 {module.Sha256}");
            context.Console.Out.Write(table);
            bool approve;
            string decidedBy;
            if (parsed.GetValue(yes))
            {
                (approve, decidedBy) = (true, "airlock approvals approve --yes");
            }
            else if (context.Console.Interactive)
            {
                approve = await new ConfirmationPrompt($"Approve {Markup.Escape(package.Id)} {Markup.Escape(package.Version)}?") { DefaultValue = false }.ShowAsync(context.Console.Out, cancellationToken).ConfigureAwait(false);
                decidedBy = "airlock approvals prompt (" + Environment.UserName + ")";
            }
            else
            {
                throw new CliException(ExitCodes.No, "No terminal to ask on: run the command in a terminal, or pass --yes (recorded in the audit log as such).");
            }

            ApprovalRecord record = await Approval.DecideAsync(package, module.Sha256, store, audit, decidedBy, approve, cancellationToken).ConfigureAwait(false);
            audit.Flush();
            context.Console.Out.MarkupLine($"[green]approved[/] {Markup.Escape(record.PluginId)} {Markup.Escape(record.Version)} by {Markup.Escape(record.ApprovedBy)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var plugin = new Argument<string>("plugin") { Description = "The plugin's id." };
        var command = new Command("revoke", "Remove every approval of a plugin: it does not run again until approved.\n\nExample:\n  airlock approvals revoke com.airlock.samples.chirp-c") { plugin };
        command.SetAction((parsed, _) =>
        {
            string id = parsed.GetValue(plugin)!;
            using SqliteApprovalStore store = context.OpenApprovals(parsed);
            using SqliteAuditLog audit = context.OpenAudit(parsed);
            int removed = store.Revoke(id);
            audit.Record(new AuditEntry(DateTimeOffset.UtcNow, id, "*", "approval.revoke", $"{removed} approvals", true, "revoked by airlock approvals revoke (" + Environment.UserName + ")"));
            audit.Flush();
            if (removed == 0)
            {
                AirlockCli.Error(context.Console, $"No approvals of '{id}' were stored; nothing was revoked (airlock approvals list shows what is stored).");
                return Task.FromResult(ExitCodes.No);
            }

            context.Console.Out.MarkupLine($"[green]revoked[/] {removed} approval{(removed == 1 ? string.Empty : "s")} of {Markup.Escape(id)}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>The permission lines of a fingerprint.</summary>
    public static IReadOnlyList<string> Lines(string fingerprint) => fingerprint.Length == 0 ? [] : fingerprint.Split(';');

    /// <summary>Installed plugins whose recorded module and current permissions no stored approval covers.</summary>
    public static IReadOnlyList<InstalledPlugin> Pending(CliContext context, ParseResult parsed, IApprovalStore store)
    {
        var pending = new List<InstalledPlugin>();
        foreach (InstalledPlugin installed in PluginLockFile.Read(context.LockPath(parsed)))
        {
            string fingerprint;
            try
            {
                fingerprint = PluginPackage.Open(installed.Directory).Fingerprint;
            }
            catch (Exception exception) when (exception is CliException or AirlockException)
            {
                continue;
            }

            if (store.Find(installed.Name, installed.Version, fingerprint, installed.Sha256) is null)
            {
                pending.Add(installed);
            }
        }

        return pending;
    }
}
