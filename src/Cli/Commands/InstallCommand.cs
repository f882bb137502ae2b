using System.CommandLine;
using System.Text.Json.Nodes;
using Airlock.Auditing;
using Airlock.Cli.Plugins;
using Airlock.Cli.Signing;
using Airlock.Discovery;
using Airlock.Security;
using Spectre.Console;
using Profile = Airlock.Cli.Plugins.Profile;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock install</c>: reads a plugin's manifest (any profile), checks its module against the profile, verifies its
/// signature, shows what it asks for against the installed approval, asks (or takes <c>--yes</c>), and puts it into the
/// plugins directory atomically with a lock file record.
/// </summary>
internal static class InstallCommand
{
    /// <summary>Where trusted public keys are looked for, inside the data directory.</summary>
    public const string TrustedKeysFolder = "trusted-keys";

    /// <summary>The HTTP handler downloads use; tests point it at a loopback server.</summary>
    internal static HttpMessageHandler? Handler { get; set; }

    public static Command Create(CliContext context)
    {
        var source = new Argument<string>("source") { Description = "The plugin: a folder, a .zip of one, or a file:// or https:// address." };
        var allowUnsigned = new Option<bool>("--allow-unsigned") { Description = "Install a module that has no signature (recorded in the audit log as such)." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Approve what the plugin asks for without a prompt, for scripts (recorded in the audit log as such)." };
        var keys = new Option<string[]>("--key") { Description = "A trusted public key (PEM, as cosign.pub); repeatable. Keys in <data-dir>/trusted-keys/*.pub and *.pem are trusted too.", AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "Write the installation record as JSON." };
        var command = new Command(
            "install",
            "Install a plugin of any profile: read its manifest, check its module fits the profile, verify its SHA-256 and signature (cosign key-based .sig, or a sigstore bundle .sigstore.json verified with a trusted key), show the permissions it asks for and what changed since the installed version's approval, ask for approval, copy it into the plugins directory atomically and record it in airlock.lock.json (id, version, SHA-256, source, signer). An interrupted install leaves the installed version serving.\n\n"
            + "Examples:\n  airlock install samples/plugins/chirp-c --key cosign.pub\n  airlock install https://plugins.example.com/chirp-1.0.0.zip --key cosign.pub --yes\n  airlock install ./my-plugin --allow-unsigned\n\n"
            + "Exit codes: 0 installed (or already installed), 1 refused (does not fit, bad or unverifiable signature, unsigned, approval refused), 2 could not install (bad source, failed download, invalid manifest).")
        {
            source,
            allowUnsigned,
            yes,
            keys,
            json,
        };
        command.SetAction((parsed, cancellationToken) => RunAsync(context, parsed, parsed.GetValue(source)!, parsed.GetValue(allowUnsigned), parsed.GetValue(yes), parsed.GetValue(keys) ?? [], parsed.GetValue(json), cancellationToken));
        return command;
    }

    /// <summary>The trusted keys: those given and those in the data directory.</summary>
    public static IReadOnlyList<TrustedKey> TrustedKeys(string dataDirectory, IEnumerable<string> given)
    {
        var keys = new List<TrustedKey>(given.Select(TrustedKey.Load));
        string folder = Path.Combine(dataDirectory, TrustedKeysFolder);
        if (Directory.Exists(folder))
        {
            keys.AddRange(Directory.GetFiles(folder).Where(f => f.EndsWith(".pub", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".pem", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).Select(TrustedKey.Load));
        }

        return keys;
    }

    private static async Task<int> RunAsync(CliContext context, ParseResult parsed, string sourceText, bool allowUnsigned, bool yes, string[] keyPaths, bool json, CancellationToken cancellationToken)
    {
        CliConsole console = context.Console;
        string pluginsDirectory = context.PluginsPath(parsed);
        string dataDirectory = context.DataPath(parsed);
        IReadOnlyList<TrustedKey> keys = TrustedKeys(dataDirectory, keyPaths);
        using PluginSource source = await PluginSource.OpenAsync(sourceText, console, Handler, cancellationToken).ConfigureAwait(false);
        PluginPackage package = PluginPackage.Open(source.Folder);
        ModuleFile module = InspectCommand.Read(package.ModulePath);

        // The module must be one its profile's loader accepts: an install never puts in place what will not load.
        ProfileFit fit = Profiles.Fit(package.Profile, module, package.Samuel?.Exports);
        if (!fit.Fits)
        {
            foreach (ContractProblem problem in fit.Problems)
            {
                console.Error.MarkupLine($"[red]error {Markup.Escape(problem.Id)}:[/] {Markup.Escape(problem.Sentence)}");
            }

            throw new CliException(ExitCodes.No, $"Plugin '{package.Id}' {package.Version} does not fit the {package.Profile} profile ({fit.Contract}); it is not installed.");
        }

        SignatureCheck signature = ModuleSignatures.Verify(package.ModulePath, module.Bytes, keys)
            ?? (allowUnsigned
                ? new SignatureCheck(null, "unsigned", null)
                : throw new CliException(ExitCodes.No, $"The module of '{package.Id}' ({Path.GetFileName(package.ModulePath)}) is not signed: no {Path.GetFileName(package.ModulePath)}.sig or .sigstore.json beside it. Ask its author for a signature, or pass --allow-unsigned to install it anyway (recorded in the audit log)."));

        using SqliteApprovalStore store = context.OpenApprovals(parsed);
        using SqliteAuditLog audit = context.OpenAudit(parsed);
        ApprovalRecord? previous = store.Latest(package.Id);
        IReadOnlyList<PermissionLine> diff = Approval.Diff(package, previous);
        if (!json)
        {
            Describe(console, package, module, signature, previous, diff);
        }

        bool alreadyApproved = store.Find(package.Id, package.Version, package.Fingerprint, module.Sha256) is not null;
        string decidedBy;
        bool approve;
        if (alreadyApproved)
        {
            (decidedBy, approve) = ("stored approval", true);
        }
        else if (yes)
        {
            (decidedBy, approve) = ("airlock install --yes", true);
        }
        else if (console.Interactive)
        {
            string question = package.Permissions.Count == 0
                ? $"Install {package.Id} {package.Version} (it asks for no permissions)?"
                : $"Approve these permissions and install {package.Id} {package.Version}?";
            approve = await new ConfirmationPrompt(Markup.Escape(question)) { DefaultValue = false }.ShowAsync(console.Out, cancellationToken).ConfigureAwait(false);
            decidedBy = "airlock install prompt (" + Environment.UserName + ")";
        }
        else
        {
            throw new CliException(ExitCodes.No, $"Plugin '{package.Id}' {package.Version} needs approval and there is no terminal to ask on: run the command in a terminal to answer the prompt, or pass --yes to approve in a script (recorded in the audit log as such). Nothing was installed.");
        }

        ApprovalRecord approval = await Approval.DecideAsync(package, module.Sha256, store, audit, decidedBy, approve, cancellationToken).ConfigureAwait(false);
        InstalledPlugin installed = Install(package, module, signature, source.Address, pluginsDirectory, cancellationToken);
        string unsigned = signature.Signer is null ? "unsigned, allowed by --allow-unsigned" : $"{signature.Kind} {signature.File} verified by {signature.Signer}";
        audit.Record(new AuditEntry(DateTimeOffset.UtcNow, package.Id, package.Version, "install", $"module sha256 {module.Sha256} from {source.Address}", true, $"{unsigned}; approved by {approval.ApprovedBy}; into {installed.Directory}"));
        audit.Flush();
        if (json)
        {
            Output.Json(console, new JsonObject
            {
                ["id"] = installed.Name,
                ["profile"] = installed.Profile,
                ["version"] = installed.Version,
                ["sha256"] = installed.Sha256,
                ["source"] = installed.Source,
                ["signer"] = installed.Signer,
                ["directory"] = installed.Directory,
                ["approvedBy"] = approval.ApprovedBy,
            });
        }
        else
        {
            console.Out.MarkupLine($"[green]installed[/] {Markup.Escape(package.Id)} {Markup.Escape(package.Version)} into {Markup.Escape(installed.Directory)}");
        }

        return ExitCodes.Ok;
    }

    private static void Describe(CliConsole console, PluginPackage package, ModuleFile module, SignatureCheck signature, ApprovalRecord? previous, IReadOnlyList<PermissionLine> diff)
    {
        console.Out.MarkupLine($"[bold]{Markup.Escape(package.Name)}[/] {Markup.Escape(package.Id)} {Markup.Escape(package.Version)} ({package.Profile}{(package.Author is { } author ? ", by " + Markup.Escape(author) : string.Empty)})");
        console.Out.WriteLine($"module     {Path.GetFileName(package.ModulePath)}, {Output.Size(module.Bytes.Length)}, sha256 {module.Sha256}");
        console.Out.WriteLine($"signature  {(signature.Signer is null ? "none (--allow-unsigned)" : $"{signature.Kind} {signature.File}, verified by {signature.Signer}")}");
        console.Out.WriteLine($"installed  {(previous is null ? "never approved before" : $"version {previous.Version} approved {previous.ApprovedAt:yyyy-MM-dd HH:mm} by {previous.ApprovedBy}")}");
        Table table = Output.Table("permission", "since the installed approval");
        foreach (PermissionLine line in diff)
        {
            table.AddRow(new Text(line.Permission), new Markup(line.Change switch
            {
                "new" => "[yellow]new[/]",
                "dropped" => "[grey]no longer asked for[/]",
                _ => "approved before",
            }));
        }

        if (diff.Count == 0)
        {
            console.Out.WriteLine("permissions none");
        }
        else
        {
            console.Out.Write(table);
        }
    }

    // Written into a staging folder in the plugins directory, then swapped in for the installed version, then recorded:
    // an install stopped before the swap leaves the old version in place and the lock file unchanged.
    private static InstalledPlugin Install(PluginPackage package, ModuleFile module, SignatureCheck signature, string address, string pluginsDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(pluginsDirectory);
        string target = Path.Combine(pluginsDirectory, package.Id);
        string staging = Files.FolderSwap.CreateStaging(pluginsDirectory, package.Id);
        try
        {
            foreach (string relative in package.Files)
            {
                string destination = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                if (Path.GetFullPath(Path.Combine(package.Folder, relative)) == module.Path)
                {
                    // The bytes verified, not whatever the file holds now.
                    File.WriteAllBytes(destination, module.Bytes);
                }
                else
                {
                    File.Copy(Path.Combine(package.Folder, relative), destination);
                }
            }

            if (signature.File is { } signatureFile)
            {
                string relativeModule = Path.GetRelativePath(package.Folder, package.ModulePath);
                File.Copy(Path.Combine(Path.GetDirectoryName(package.ModulePath)!, signatureFile), Path.Combine(staging, Path.GetDirectoryName(relativeModule) ?? string.Empty, signatureFile));
            }

            cancellationToken.ThrowIfCancellationRequested();
            Files.FolderSwap.Swap(staging, target);
        }
        catch
        {
            Files.FolderSwap.TryDelete(staging);
            throw;
        }

        var installed = new InstalledPlugin(package.Id, package.Version, module.Sha256, address, target, DateTimeOffset.UtcNow)
        {
            Signer = signature.Signer,
            Profile = Profiles.Key(package.Profile),
            Module = Path.GetRelativePath(package.Folder, package.ModulePath),
        };
        PluginLockFile.Record(Path.Combine(pluginsDirectory, CliContext.LockFileName), installed);
        return installed;
    }
}
