using System.CommandLine;
using Airlock.Cli.Plugins;
using Airlock.GuestBindings;
using Spectre.Console;
using Profile = Airlock.Cli.Plugins.Profile;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock bindings</c>: guest bindings generated from a compiled contract or a profile's contract.</summary>
internal static class BindingsCommand
{
    public static Command Create(CliContext context)
    {
        var contract = new Option<string?>("--contract") { Description = "The contract interface's full name, such as MyApp.IChirpPlugin." };
        var assembly = new Option<string?>("--assembly") { Description = "The built assembly (.dll) that declares the contract." };
        var profile = new Option<string?>("--profile") { Description = "Generate for a profile's contract instead: socialscale, lesstruct, driftless or samuel (lesstruct and driftless in C so far)." };
        var lang = new Option<string>("--lang") { Description = "The guest language: c, rust or assemblyscript.", DefaultValueFactory = _ => "c" };
        var output = new Option<string>("--out") { Description = "The folder to write the bindings to (created if missing).", Required = true };
        var prefix = new Option<string?>("--prefix") { Description = "The prefix of every generated C name; by default the contract's name in lower case (socialscale, samuellinter)." };
        var command = new Command(
            "bindings",
            "Generate a plugin's side of a contract: the allocator, one export shim per contract export, the payload types with strict JSON readers and writers, and typed host functions. The plugin author implements one plain function per export.\n\n"
            + "Examples:\n  airlock bindings --profile socialscale --lang c --out bindings\n  airlock bindings --contract MyApp.IChirpPlugin --assembly bin/Debug/net10.0/MyApp.dll --lang c --out bindings\n\n"
            + "Exit codes: 0 written, 2 the contract could not be read or bound (the reason is given).")
        {
            contract,
            assembly,
            profile,
            lang,
            output,
            prefix,
        };
        command.SetAction((parsed, _) =>
        {
            IReadOnlyList<GeneratedFile> files = Generate(parsed.GetValue(contract), parsed.GetValue(assembly), parsed.GetValue(profile), parsed.GetValue(lang)!, parsed.GetValue(prefix)).Files;
            string folder = parsed.GetValue(output)!;
            Write(folder, files);
            foreach (GeneratedFile file in files)
            {
                context.Console.Out.MarkupLine($"wrote {Markup.Escape(Path.Combine(folder, file.Name))}");
            }

            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>The contract a profile's plugins implement: its assembly and full name.</summary>
    public static (string Assembly, string Contract) ProfileContract(string name)
    {
        Profile profile = Profiles.Parse(name) ?? throw new CliException(ExitCodes.CouldNot, $"Unknown profile '{name}'; use socialscale, lesstruct, driftless or samuel.");
        Type type = profile switch
        {
            Profile.SocialScale => typeof(Contracts.SocialScale.ISocialScalePlugin),
            Profile.Samuel => typeof(Contracts.Samuel.ISamuelLinter),
            Profile.Lesstruct => typeof(Contracts.Lesstruct.ILesstructPlugin),
            _ => typeof(Contracts.Driftless.IDriftlessPlugin),
        };
        return (type.Assembly.Location, type.FullName!);
    }

    /// <summary>Generates the bindings named by the options, turning every failure into a one-sentence error (exit 2).</summary>
    public static GuestBindingsOutput Generate(string? contractName, string? assemblyPath, string? profileName, string language, string? prefix)
    {
        if ((contractName is null) == (profileName is null) || (contractName is not null && assemblyPath is null))
        {
            throw new CliException(ExitCodes.CouldNot, "Name the contract: --contract <Namespace.IContract> --assembly <dll>, or --profile <socialscale|lesstruct|driftless|samuel>, not both.");
        }

        GuestLanguage guest = language.ToLowerInvariant() switch
        {
            "c" => GuestLanguage.C,
            "assemblyscript" or "as" => GuestLanguage.AssemblyScript,
            "rust" or "rs" => GuestLanguage.Rust,
            _ => throw new CliException(ExitCodes.CouldNot, $"No bindings for '{language}' yet; use --lang c, rust or assemblyscript."),
        };

        (string assembly, string contract) = profileName is not null ? ProfileContract(profileName) : (assemblyPath!, contractName!);
        if (profileName is not null && prefix is null)
        {
            prefix = Profiles.Key(Profiles.Parse(profileName)!.Value);
        }

        try
        {
            return GuestBindingsGenerator.Generate(assembly, contract, guest, prefix);
        }
        catch (GuestBindingsException exception)
        {
            throw new CliException(ExitCodes.CouldNot, exception.Message);
        }
    }

    /// <summary>Writes the files into <paramref name="folder"/>, each atomically.</summary>
    public static void Write(string folder, IReadOnlyList<GeneratedFile> files)
    {
        Directory.CreateDirectory(folder);
        foreach (GeneratedFile file in files)
        {
            string path = Path.Combine(folder, file.Name);
            string temporary = path + ".tmp";
            File.WriteAllText(temporary, file.Text);
            File.Move(temporary, path, overwrite: true);
        }
    }
}
