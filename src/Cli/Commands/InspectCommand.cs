using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Airlock.Cli.Plugins;
using Airlock.Wasm;
using Spectre.Console;
using Profile = Airlock.Cli.Plugins.Profile;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock inspect</c>: what a module imports and exports, its memory, and which profiles it fits.</summary>
internal static class InspectCommand
{
    public static Command Create(CliContext context)
    {
        var module = new Argument<string>("module") { Description = "The .wasm file." };
        var json = new Option<bool>("--json") { Description = "Write the result as JSON." };
        var command = new Command(
            "inspect",
            "Show a module's imports, exports with their wasm signatures, memories and limits, data segments, memory layout (data, stack, heap), custom sections, size and SHA-256, and which profiles (SocialScale, Lesstruct, Driftless, Samuel) it fits and why not the others, with the checks the host runs at load.\n\n"
            + "Example:\n  airlock inspect samples/plugins/chirp-c/chirp.wasm\n  airlock inspect plugin.wasm --json | jq '.profiles'\n\n"
            + "Exit codes: 0 read (whether or not it fits a profile), 2 the file cannot be read or is not a module.")
        {
            module,
            json,
        };
        command.SetAction((parsed, _) =>
        {
            ModuleFile file = Read(parsed.GetValue(module)!);
            IReadOnlyList<ProfileFit> fits = Profiles.FitAll(file);
            if (parsed.GetValue(json))
            {
                Output.Json(context.Console, ToJson(file, fits));
            }
            else
            {
                Write(context.Console, file, fits);
            }

            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>Reads a module, turning an unreadable one into a one-sentence error (exit 2).</summary>
    public static ModuleFile Read(string path)
    {
        try
        {
            return ModuleFile.Read(path);
        }
        catch (ModuleUnreadableException exception)
        {
            throw new CliException(ExitCodes.CouldNot, exception.Message + ".");
        }
    }

    private static string Spell(WasmLimits limits, string unit)
        => $"{limits.Minimum}{(limits.Maximum is { } max ? ".." + max.ToString(CultureInfo.InvariantCulture) : "..")} {unit}{(limits.Is64 ? ", 64-bit" : string.Empty)}{(limits.Shared ? ", shared" : string.Empty)}";

    private static string Kind(WasmExternalKind kind) => kind.ToString().ToLowerInvariant();

    private static string? ExportType(WasmModuleInfo info, WasmExport export)
    {
        if (export.Kind == WasmExternalKind.Function && info.TryGetFunctionSignature(export.Index, out WasmFunctionSignature signature))
        {
            return signature.ToString();
        }

        if (export.Kind == WasmExternalKind.Global && info.TryGetGlobal(export.Index, out WasmGlobalType type, out long? value))
        {
            return $"{(type.Mutable ? "mut " : string.Empty)}{WasmFunctionSignature.Spell(type.Type)}{(value is { } v ? " = " + v.ToString(CultureInfo.InvariantCulture) : string.Empty)}";
        }

        if (export.Kind == WasmExternalKind.Memory)
        {
            WasmLimits? limits = MemoryLimits(info, export.Index);
            return limits is { } l ? Spell(l, "pages") : null;
        }

        return null;
    }

    private static WasmLimits? MemoryLimits(WasmModuleInfo info, uint index)
    {
        WasmImport[] imported = [.. info.Imports.Where(i => i.Kind == WasmExternalKind.Memory)];
        if (index < imported.Length)
        {
            return imported[index].Memory;
        }

        long local = index - imported.Length;
        return local < info.Memories.Count ? info.Memories[(int)local] : null;
    }

    private static string? ImportType(WasmImport import)
        => import.Signature?.ToString()
            ?? (import.Memory is { } memory ? Spell(memory, "pages") : null)
            ?? (import.Global is { } global ? (global.Mutable ? "mut " : string.Empty) + WasmFunctionSignature.Spell(global.Type) : null)
            ?? (import.Table is { } table ? Spell(table.Limits, "elements") : null);

    private static void Write(CliConsole console, ModuleFile file, IReadOnlyList<ProfileFit> fits)
    {
        WasmModuleInfo info = file.Info;
        Output.Heading(console, file.Path);
        console.Out.WriteLine($"size    {file.Bytes.Length} bytes ({Output.Size(file.Bytes.Length)})");
        console.Out.WriteLine($"sha256  {file.Sha256}");
        console.Out.WriteLine();

        Table imports = Output.Table("import", "kind", "type");
        foreach (WasmImport import in info.Imports)
        {
            Output.Row(imports, import.Module + "." + import.Name, Kind(import.Kind), ImportType(import) ?? string.Empty);
        }

        Table exports = Output.Table("export", "kind", "type");
        foreach (WasmExport export in info.Exports)
        {
            Output.Row(exports, export.Name, Kind(export.Kind), ExportType(info, export) ?? string.Empty);
        }

        console.Out.MarkupLine($"[bold]Imports[/] ({info.Imports.Count})");
        if (info.Imports.Count > 0)
        {
            console.Out.Write(imports);
        }

        console.Out.MarkupLine($"[bold]Exports[/] ({info.Exports.Count})");
        console.Out.Write(exports);

        Table memory = Output.Table("memory", "limits");
        foreach ((WasmLimits limits, int index) in info.Memories.Select((m, i) => (m, i)))
        {
            Output.Row(memory, "memory " + index.ToString(CultureInfo.InvariantCulture), Spell(limits, "pages of 64 KiB"));
        }

        foreach (WasmDataSegment segment in info.DataSegments)
        {
            Output.Row(memory, segment.IsActive ? $"data at {(segment.Offset is { } o ? "0x" + ((uint)o).ToString("x", CultureInfo.InvariantCulture) : "(computed)")}" : "passive data", $"{segment.Length} bytes");
        }

        foreach (WasmMemoryRegion region in WasmMemoryMap.GuestRegions(info))
        {
            Output.Row(memory, region.Description, $"[0x{region.Start:x}, 0x{region.End:x})");
        }

        Output.Row(memory, "heap", HeapText(info.HeapEvidence));
        console.Out.MarkupLine("[bold]Memory[/]");
        console.Out.Write(memory);
        console.Out.WriteLine("custom sections: " + (info.CustomSections.Count == 0 ? "none" : string.Join(", ", info.CustomSections)));
        console.Out.WriteLine();

        console.Out.MarkupLine("[bold]Profiles[/]");
        foreach (ProfileFit fit in fits)
        {
            if (fit.Fits)
            {
                console.Out.MarkupLine($"  [green]fits[/]          {fit.Profile} ({Markup.Escape(fit.Contract)})");
                continue;
            }

            console.Out.MarkupLine($"  [yellow]does not fit[/]  {fit.Profile} ({Markup.Escape(fit.Contract)})");
            foreach (ContractProblem problem in fit.Problems)
            {
                console.Out.MarkupLine($"      {Markup.Escape(problem.Id)}: {Markup.Escape(problem.Message)}");
            }
        }
    }

    private static string HeapText(WasmHeapEvidence heap)
    {
        if (heap.UndecodedCode is { } why)
        {
            return "assumed (code not fully decoded: " + why + ")";
        }

        var signs = new List<string>();
        if (heap.GrowsMemory)
        {
            signs.Add("memory.grow");
        }

        if (heap.TakesHeapBase)
        {
            signs.Add("takes __heap_base");
        }

        if (heap.MeasuresMemory)
        {
            signs.Add("memory.size");
        }

        return heap.ShowsHeap ? "yes (" + string.Join(", ", signs) + ")" : signs.Count == 0 ? "none" : "none (" + string.Join(", ", signs) + ")";
    }

    private static JsonObject ToJson(ModuleFile file, IReadOnlyList<ProfileFit> fits)
    {
        WasmModuleInfo info = file.Info;
        return new JsonObject
        {
            ["path"] = file.Path,
            ["size"] = file.Bytes.Length,
            ["sha256"] = file.Sha256,
            ["imports"] = new JsonArray([.. info.Imports.Select(i => (JsonNode)new JsonObject { ["module"] = i.Module, ["name"] = i.Name, ["kind"] = Kind(i.Kind), ["type"] = ImportType(i) })]),
            ["exports"] = new JsonArray([.. info.Exports.Select(e => (JsonNode)new JsonObject { ["name"] = e.Name, ["kind"] = Kind(e.Kind), ["type"] = ExportType(info, e) })]),
            ["memories"] = new JsonArray([.. info.Memories.Select(m => (JsonNode)new JsonObject { ["minPages"] = m.Minimum, ["maxPages"] = m.Maximum, ["is64"] = m.Is64, ["shared"] = m.Shared })]),
            ["dataSegments"] = new JsonArray([.. info.DataSegments.Select(d => (JsonNode)new JsonObject { ["active"] = d.IsActive, ["memory"] = d.MemoryIndex, ["offset"] = d.Offset, ["length"] = d.Length })]),
            ["layout"] = new JsonArray([.. WasmMemoryMap.GuestRegions(info).Select(r => (JsonNode)new JsonObject { ["region"] = r.Description, ["start"] = r.Start, ["end"] = r.End })]),
            ["heap"] = new JsonObject { ["growsMemory"] = info.HeapEvidence.GrowsMemory, ["takesHeapBase"] = info.HeapEvidence.TakesHeapBase, ["measuresMemory"] = info.HeapEvidence.MeasuresMemory, ["undecodedCode"] = info.HeapEvidence.UndecodedCode },
            ["customSections"] = new JsonArray([.. info.CustomSections.Select(c => (JsonNode)JsonValue.Create(c))]),
            ["profiles"] = new JsonArray([.. fits.Select(f => (JsonNode)new JsonObject
            {
                ["profile"] = Profiles.Key(f.Profile),
                ["contract"] = f.Contract,
                ["fits"] = f.Fits,
                ["problems"] = Problems(f.Problems),
            })]),
        };
    }

    /// <summary>Problems as JSON: id, subject, message, sentence.</summary>
    public static JsonArray Problems(IEnumerable<ContractProblem> problems)
        => new([.. problems.Select(p => (JsonNode)new JsonObject { ["id"] = p.Id, ["subject"] = p.Subject, ["message"] = p.Message, ["sentence"] = p.Sentence })]);
}
