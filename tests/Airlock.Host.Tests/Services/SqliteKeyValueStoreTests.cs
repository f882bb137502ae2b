using System.Text;
using Airlock.Services;
using Microsoft.Data.Sqlite;

namespace Airlock.Host.Tests.Services;

/// <summary>A temporary directory for the key-value store tests' SQLite files, deleted when the class is done.</summary>
public sealed class KeyValueDirectory : IDisposable
{
    /// <summary>The directory.</summary>
    public string Path { get; } = Directory.CreateTempSubdirectory("airlock-kv-").FullName;

    /// <inheritdoc/>
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The SQLite key-value store: durability of acknowledged writes, isolation, limits and concurrency.</summary>
public sealed class SqliteKeyValueStoreTests(KeyValueDirectory directory) : IClassFixture<KeyValueDirectory>
{
    private static readonly byte[] Hello = "hello"u8.ToArray();

    private string NewFile() => Path.Combine(directory.Path, Guid.NewGuid().ToString("N") + ".db");

    [Fact]
    public void Set_then_get_round_trips_and_missing_keys_are_null()
    {
        using var store = new SqliteKeyValueStore(NewFile());
        store.Set("p", "k", Hello);
        Assert.Equal(Hello, store.Get("p", "k"));
        Assert.Null(store.Get("p", "other"));
        store.Set("p", "empty", ReadOnlySpan<byte>.Empty);
        Assert.Equal(Array.Empty<byte>(), store.Get("p", "empty"));
    }

    [Fact]
    public void Uses_wal_with_full_synchronous_writes()
    {
        using var store = new SqliteKeyValueStore(NewFile());
        Assert.Equal("wal", store.Pragma("journal_mode"));
        Assert.Equal("2", store.Pragma("synchronous"));
    }

    [Fact]
    public void A_value_is_visible_to_an_independent_store_as_soon_as_Set_returns()
    {
        string file = NewFile();
        using var writer = new SqliteKeyValueStore(file);
        writer.Set("p", "k", Hello);
        using var reader = new SqliteKeyValueStore(file);
        Assert.Equal(Hello, reader.Get("p", "k"));
    }

    [Fact]
    public void A_value_survives_disposal_without_any_flush()
    {
        string file = NewFile();
        using (var store = new SqliteKeyValueStore(file))
        {
            store.Set("p", "k", Hello);
        }

        using var reopened = new SqliteKeyValueStore(file);
        Assert.Equal(Hello, reopened.Get("p", "k"));
    }

    [Fact]
    public void The_files_on_disk_hold_the_value_while_the_writer_is_still_open()
    {
        // What a killed process leaves behind: the database and its WAL, never checkpointed or closed. Copy them
        // while the writer is live and open the copy: SQLite recovers the committed value from the WAL.
        string file = NewFile();
        using var writer = new SqliteKeyValueStore(file);
        writer.Set("p", "k", Hello);
        string copy = NewFile();
        File.Copy(file, copy);
        File.Copy(file + "-wal", copy + "-wal");
        using var recovered = new SqliteKeyValueStore(copy);
        Assert.Equal(Hello, recovered.Get("p", "k"));
    }

    [Fact]
    public void Plugins_cannot_see_each_others_keys()
    {
        using var store = new SqliteKeyValueStore(NewFile());
        store.Set("a", "shared", "from a"u8);
        store.Set("b", "shared", "from b"u8);
        store.Set("b", "b-only", Hello);
        Assert.Equal("from a"u8.ToArray(), store.Get("a", "shared"));
        Assert.Equal("from b"u8.ToArray(), store.Get("b", "shared"));
        Assert.Null(store.Get("a", "b-only"));
        Assert.False(store.Delete("a", "b-only"));
        Assert.Equal(["shared"], store.Keys("a"));
        Assert.Equal(["b-only", "shared"], store.Keys("b"));
    }

    [Fact]
    public void Set_overwrites_and_Delete_removes()
    {
        using var store = new SqliteKeyValueStore(NewFile());
        store.Set("p", "k", "one"u8);
        store.Set("p", "k", "two"u8);
        Assert.Equal("two"u8.ToArray(), store.Get("p", "k"));
        Assert.Single(store.Keys("p"));
        Assert.True(store.Delete("p", "k"));
        Assert.False(store.Delete("p", "k"));
        Assert.Null(store.Get("p", "k"));
        Assert.Empty(store.Keys("p"));
    }

    [Fact]
    public void Unicode_keys_are_exact_and_counted_in_utf8_bytes()
    {
        var limits = new KeyValueLimits { MaxKeyBytes = 8 };
        using var store = new SqliteKeyValueStore(NewFile(), limits);
        string composed = "\u00e9";
        string decomposed = "e\u0301";
        store.Set("p", composed, "composed"u8);
        store.Set("p", decomposed, "decomposed"u8);
        store.Set("p", "\U0001F600\U0001F600", Hello); // two emoji: 8 UTF-8 bytes, exactly the limit
        Assert.Equal("composed"u8.ToArray(), store.Get("p", composed));
        Assert.Equal("decomposed"u8.ToArray(), store.Get("p", decomposed));
        Assert.Equal(Hello, store.Get("p", "\U0001F600\U0001F600"));
        Assert.Equal(3, store.Keys("p").Count);

        var tooLong = Assert.Throws<KeyValueLimitException>(() => store.Set("p", "\u00e9\u00e9\u00e9\u00e9\u00e9", Hello)); // 5 chars, 10 bytes
        Assert.Equal(KeyValueLimitException.KeyTooLarge, tooLong.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\0b")]
    [InlineData("line\nbreak")]
    [InlineData("tab\t")]
    [InlineData("del\u007f")]
    [InlineData("c1\u0085")]
    public void Malformed_keys_are_invalid_for_every_operation(string key)
    {
        using var store = new SqliteKeyValueStore(NewFile());
        Assert.Equal(KeyValueLimitException.InvalidKey, Assert.Throws<KeyValueLimitException>(() => store.Set("p", key, Hello)).Code);
        Assert.Equal(KeyValueLimitException.InvalidKey, Assert.Throws<KeyValueLimitException>(() => store.Get("p", key)).Code);
        Assert.Equal(KeyValueLimitException.InvalidKey, Assert.Throws<KeyValueLimitException>(() => store.Delete("p", key)).Code);
        Assert.Empty(store.Keys("p"));
    }

    [Fact]
    public void Keys_with_unpaired_surrogates_are_invalid()
    {
        // Built here rather than in InlineData: xunit's theory serialization would turn them into U+FFFD.
        using var store = new SqliteKeyValueStore(NewFile());
        foreach (string key in new[] { "lone" + (char)0xD800 + "high", ((char)0xDC00).ToString(), "x" + (char)0xD83D })
        {
            var refused = Assert.Throws<KeyValueLimitException>(() => store.Set("p", key, Hello));
            Assert.Equal(KeyValueLimitException.InvalidKey, refused.Code);
            Assert.Contains("surrogate", refused.Message, StringComparison.Ordinal);
        }

        Assert.Empty(store.Keys("p"));
    }

    [Fact]
    public void Key_and_value_size_limits_are_enforced_with_actionable_messages()
    {
        using var store = new SqliteKeyValueStore(NewFile());
        store.Set("p", new string('k', 512), Hello);
        var key = Assert.Throws<KeyValueLimitException>(() => store.Set("p", new string('k', 513), Hello));
        Assert.Equal(KeyValueLimitException.KeyTooLarge, key.Code);
        Assert.Contains("513", key.Message, StringComparison.Ordinal);
        Assert.Contains("512", key.Message, StringComparison.Ordinal);

        store.Set("p", "max", new byte[1024 * 1024]);
        var value = Assert.Throws<KeyValueLimitException>(() => store.Set("p", "big", new byte[(1024 * 1024) + 1]));
        Assert.Equal(KeyValueLimitException.ValueTooLarge, value.Code);
        Assert.Contains("split", value.Message, StringComparison.Ordinal);
        Assert.Null(store.Get("p", "big"));
    }

    [Fact]
    public void The_key_count_limit_allows_overwrites_but_not_new_keys()
    {
        using var store = new SqliteKeyValueStore(NewFile(), new KeyValueLimits { MaxKeysPerPlugin = 3 });
        store.Set("p", "a", Hello);
        store.Set("p", "b", Hello);
        store.Set("p", "c", Hello);
        store.Set("p", "c", "overwritten"u8);
        var full = Assert.Throws<KeyValueLimitException>(() => store.Set("p", "d", Hello));
        Assert.Equal(KeyValueLimitException.TooManyKeys, full.Code);
        Assert.Contains("Delete", full.Message, StringComparison.Ordinal);
        store.Set("other", "d", Hello); // the limit is per plugin
        Assert.True(store.Delete("p", "a"));
        store.Set("p", "d", Hello);
        Assert.Equal(["b", "c", "d"], store.Keys("p"));
    }

    [Fact]
    public void The_byte_quota_counts_keys_and_values_and_credits_overwrites()
    {
        // Each entry costs key bytes + value bytes: "a" + 40 = 41.
        using var store = new SqliteKeyValueStore(NewFile(), new KeyValueLimits { MaxBytesPerPlugin = 100 });
        store.Set("p", "a", new byte[40]);
        store.Set("p", "b", new byte[40]);
        var over = Assert.Throws<KeyValueLimitException>(() => store.Set("p", "c", new byte[40]));
        Assert.Equal(KeyValueLimitException.QuotaExceeded, over.Code);
        Assert.Contains("123", over.Message, StringComparison.Ordinal);
        Assert.Null(store.Get("p", "c"));

        store.Set("p", "b", new byte[58]); // 41 + 59 = 100: exactly the quota, the old 41 bytes are credited
        Assert.Throws<KeyValueLimitException>(() => store.Set("p", "b", new byte[59]));
        Assert.Equal(58, store.Get("p", "b")!.Length);
        store.Set("q", "c", new byte[90]); // the quota is per plugin
    }

    [Fact]
    public void Concurrent_writers_on_several_threads_all_land_and_respect_the_key_limit()
    {
        using var store = new SqliteKeyValueStore(NewFile(), new KeyValueLimits { MaxKeysPerPlugin = 100 });
        const int Threads = 8;
        const int PerThread = 25;
        int refused = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                store.Set("own-" + t, "k" + i, BitConverter.GetBytes(i));
                store.Set("shared", "last", BitConverter.GetBytes(t));
                try
                {
                    store.Set("crowded", $"{t}-{i}", Hello);
                }
                catch (KeyValueLimitException e) when (e.Code == KeyValueLimitException.TooManyKeys)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });

        for (int t = 0; t < Threads; t++)
        {
            Assert.Equal(PerThread, store.Keys("own-" + t).Count);
            Assert.Equal(BitConverter.GetBytes(PerThread - 1), store.Get("own-" + t, "k" + (PerThread - 1)));
        }

        Assert.InRange(BitConverter.ToInt32(store.Get("shared", "last")), 0, Threads - 1);
        Assert.Equal(100, store.Keys("crowded").Count);
        Assert.Equal((Threads * PerThread) - 100, refused);
    }

    [Fact]
    public void Two_stores_on_one_file_share_the_quota()
    {
        string file = NewFile();
        var limits = new KeyValueLimits { MaxKeysPerPlugin = 2 };
        using var first = new SqliteKeyValueStore(file, limits);
        using var second = new SqliteKeyValueStore(file, limits);
        first.Set("p", "a", Hello);
        second.Set("p", "b", Hello);
        Assert.Equal(KeyValueLimitException.TooManyKeys, Assert.Throws<KeyValueLimitException>(() => first.Set("p", "c", Hello)).Code);
    }

    [Fact]
    public void Two_stores_writing_one_file_at_once_never_exceed_the_quota_together()
    {
        // Separate connections contend for SQLite's write lock; each write's check and insert are one transaction.
        string file = NewFile();
        var limits = new KeyValueLimits { MaxKeysPerPlugin = 30 };
        using var first = new SqliteKeyValueStore(file, limits);
        using var second = new SqliteKeyValueStore(file, limits);
        int refused = 0;
        Parallel.ForEach(new[] { (first, "a"), (second, "b") }, pair =>
        {
            for (int i = 0; i < 25; i++)
            {
                try
                {
                    pair.Item1.Set("p", pair.Item2 + i, Hello);
                }
                catch (KeyValueLimitException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });

        Assert.Equal(30, first.Keys("p").Count);
        Assert.Equal(20, refused);
    }

    [Fact]
    public void Get_returns_a_copy()
    {
        using var store = new SqliteKeyValueStore(NewFile());
        store.Set("p", "k", Hello);
        byte[] value = store.Get("p", "k")!;
        value[0] = (byte)'j';
        Assert.Equal(Hello, store.Get("p", "k"));
        Assert.Equal("hello", Encoding.UTF8.GetString(store.Get("p", "k")!));
    }

    [Fact]
    public void A_disposed_store_refuses_calls()
    {
        var store = new SqliteKeyValueStore(NewFile());
        store.Dispose();
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.Get("p", "k"));
        Assert.Throws<ObjectDisposedException>(() => store.Set("p", "k", Hello));
    }
}
