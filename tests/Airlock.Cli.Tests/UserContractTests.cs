namespace Airlock.Cli.Tests;

/// <summary>
/// <c>airlock check --assembly</c> against a contract a user built: tests/Fixtures/Acme.Orders.Contract, whose contract
/// extends an exports interface of another assembly (Acme.Orders.Model) that its build output holds next to it.
/// </summary>
public sealed class UserContractTests : IDisposable
{
    private const string Contract = "Acme.Orders.Contract.IOrderPricer";

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static string FixtureFolder => Path.Combine(AppContext.BaseDirectory, "fixtures", "acme-orders");

    private static string ContractAssembly => Path.Combine(FixtureFolder, "Acme.Orders.Contract.dll");

    [Fact]
    public async Task Check_passes_a_module_that_fits_a_contract_from_a_built_assembly_whose_dependencies_sit_next_to_it()
    {
        Assert.True(File.Exists(Path.Combine(FixtureFolder, "Acme.Orders.Model.dll")), "the contract's dependency is copied next to it");
        string module = WriteModule("fits.wasm", """
            (module (memory (export "memory") 1)
              (func (export "alloc") (param i32) (result i32) i32.const 1024)
              (func (export "dealloc") (param i32 i32))
              (func (export "price_order") (param i32 i32) (result i64) i64.const 0))
            """);

        CliResult result = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", ContractAssembly);
        CliResult json = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", ContractAssembly, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"ok: Module 'fits.wasm' fits contract '{Contract}'.", result.Out);
        Assert.Equal(0, json.ExitCode);
        Assert.True(json.Json.GetProperty("fits").GetBoolean(), json.Out);
    }

    [Fact]
    public async Task Check_fails_a_module_that_does_not_fit_with_the_sentences_the_build_and_the_host_use()
    {
        string module = WriteModule("wrong.wasm", """
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "alloc") (param i32) (result i32) i32.const 1024)
              (func (export "dealloc") (param i32 i32))
              (func (export "price_order") (param i32) (result i32) i32.const 0))
            """);

        CliResult result = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", ContractAssembly);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error AIR103: Module 'wrong.wasm' does not fit contract '{Contract}': ", result.Out);
        Assert.Contains("'price_order'", result.Out);
        Assert.Contains($"error AIR106: Module 'wrong.wasm' does not fit contract '{Contract}': the module imports WASI ('wasi_snapshot_preview1.fd_write')", result.Out);
        Assert.Contains($"2 problems: module 'wrong.wasm' does not fit contract '{Contract}'.", result.Out);
    }

    [Fact]
    public async Task Check_says_which_dependency_is_missing_when_the_assembly_was_copied_without_it()
    {
        string alone = Path.Combine(_cli.Root, "alone");
        Directory.CreateDirectory(alone);
        File.Copy(ContractAssembly, Path.Combine(alone, "Acme.Orders.Contract.dll"));
        string module = WriteModule("fits.wasm", """(module (memory (export "memory") 1))""");

        CliResult result = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", Path.Combine(alone, "Acme.Orders.Contract.dll"));
        CliResult unknown = await _cli.RunAsync("check", module, "--contract", "Acme.Orders.Contract.INoSuchContract", "--assembly", ContractAssembly);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("need the assembly 'Acme.Orders.Model", result.Error);
        Assert.Contains("pass the .dll from the build's output folder", result.Error);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains($"has no contract 'Acme.Orders.Contract.INoSuchContract'", unknown.Error);
        Assert.Contains(Contract, unknown.Error);
    }

    private string WriteModule(string name, string wat)
    {
        string path = Path.Combine(_cli.Root, name);
        File.WriteAllBytes(path, Wasmtime.Module.ConvertText(wat));
        return path;
    }
}
