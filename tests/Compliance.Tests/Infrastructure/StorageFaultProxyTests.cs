using System.Diagnostics;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;

namespace Compliance.Tests.Infrastructure;

/// <summary>
/// The fault proxy itself, against the test run's Azurite through Azure SDK clients: every service passes through cleanly
/// (streamed uploads and table batches too), each fault is seen by a client as storage's own would be, a fraction rule fires
/// about that fraction and repeats with its seed, a window ends, and a fault after forwarding leaves its effect in storage.
/// </summary>
public sealed class StorageFaultProxyTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Blob_calls_pass_through_unchanged_streamed_uploads_included()
    {
        // Arrange
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        var container = new BlobServiceClient(proxy.ConnectionString, NoRetries<BlobClientOptions>(new())).GetBlobContainerClient("proxy" + Guid.NewGuid().ToString("N")[..12]);
        var content = new byte[5 * 1024 * 1024 + 123];
        new Random(1).NextBytes(content);

        // Act: a container, a blob staged in blocks of 1 MB from a stream (chunked by the SDK), metadata, a listing, a read.
        await container.CreateAsync(cancellationToken: Ct);
        var blob = container.GetBlobClient("folder/big file:é.bin");
        await blob.UploadAsync(new MemoryStream(content), new BlobUploadOptions
        {
            TransferOptions = new StorageTransferOptions { InitialTransferSize = 1024 * 1024, MaximumTransferSize = 1024 * 1024, MaximumConcurrency = 2 },
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
            Metadata = new Dictionary<string, string> { ["kind"] = "test" },
        }, Ct);
        var properties = await blob.GetPropertiesAsync(cancellationToken: Ct);
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(cancellationToken: Ct))
        {
            names.Add(item.Name);
        }

        var read = (await blob.DownloadContentAsync(Ct)).Value.Content.ToArray();

        // Assert: what Azurite holds, read past the proxy, is what was sent through it.
        read.ShouldBe(content);
        properties.Value.ContentLength.ShouldBe(content.Length);
        properties.Value.Metadata["kind"].ShouldBe("test");
        names.ShouldBe(["folder/big file:é.bin"]);
        var direct = env.Blobs.GetBlobContainerClient(container.Name).GetBlobClient("folder/big file:é.bin");
        (await direct.DownloadContentAsync(Ct)).Value.Content.ToArray().ShouldBe(content);
        proxy.Calls(StorageService.Blob).ShouldBeGreaterThan(6, "the upload was staged in blocks");
        proxy.Faults(StorageService.Blob).ShouldBe(0);
        await env.Blobs.DeleteBlobContainerAsync(container.Name, cancellationToken: Ct);
    }

    [Fact]
    public async Task Queue_calls_pass_through_unchanged()
    {
        // Arrange
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        var queue = new QueueServiceClient(proxy.ConnectionString, NoRetries<QueueClientOptions>(new())).GetQueueClient("proxy" + Guid.NewGuid().ToString("N")[..12]);

        // Act
        await queue.CreateAsync(cancellationToken: Ct);
        await queue.SendMessageAsync("hello through the proxy", Ct);
        var received = (await queue.ReceiveMessageAsync(cancellationToken: Ct)).Value;
        await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt, Ct);
        var left = (await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount;

        // Assert
        received.MessageText.ShouldBe("hello through the proxy");
        left.ShouldBe(0);
        proxy.Calls(StorageService.Queue).ShouldBe(5);
        proxy.Faults(StorageService.Queue).ShouldBe(0);
        await queue.DeleteAsync(Ct);
    }

    [Fact]
    public async Task An_observer_sees_each_call_faulted_ones_too_until_it_is_switched_off()
    {
        // Arrange
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        var name = "proxy" + Guid.NewGuid().ToString("N")[..12];
        var queue = new QueueServiceClient(proxy.ConnectionString, NoRetries<QueueClientOptions>(new())).GetQueueClient(name);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<StorageCall>();
        var observing = proxy.Observe(seen.Enqueue);

        // Act: a queue, a message, a receive that is faulted; then, observer off, one more call.
        await queue.CreateAsync(cancellationToken: Ct);
        await queue.SendMessageAsync("observed", Ct);
        using (proxy.Inject(new FaultRule { Service = StorageService.Queue, Action = FaultAction.ServerBusy }))
        {
            await Should.ThrowAsync<RequestFailedException>(queue.ReceiveMessageAsync(cancellationToken: Ct));
        }

        observing.Dispose();
        await queue.GetPropertiesAsync(Ct);

        // Assert: the calls as they came, with their methods and paths; the last not seen, and the proxy's own count unchanged.
        var path = $"{proxy.Endpoint(StorageService.Queue).AbsolutePath}/{name}";
        seen.Select(c => (c.Service, c.Method, c.Path)).ShouldBe(
        [
            (StorageService.Queue, "PUT", path),
            (StorageService.Queue, "POST", path + "/messages"),
            (StorageService.Queue, "GET", path + "/messages"),
        ]);
        seen.Last().Query.ShouldContain("numofmessages=1");
        proxy.Calls(StorageService.Queue).ShouldBe(4);
        proxy.Faults(StorageService.Queue).ShouldBe(1);
        await new QueueServiceClient(env.StorageConnectionString).DeleteQueueAsync(name, Ct);
    }

    [Fact]
    public async Task Table_calls_pass_through_unchanged_batches_included()
    {
        // Arrange
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        var name = "proxy" + Guid.NewGuid().ToString("N")[..12];
        var table = new TableServiceClient(proxy.ConnectionString, NoRetries<TableClientOptions>(new())).GetTableClient(name);

        // Act: a table, one entity, a batch (a multipart body), an optimistic update, a query, a delete. The partition key
        // needs escaping in a path (Shared Key signs the path as the client encoded it).
        const string Key = "study:é x";
        await table.CreateAsync(Ct);
        await table.AddEntityAsync(new TableEntity(Key, "one") { ["Text"] = "é and ünïcode" }, Ct);
        await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(Key, "two")), new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(Key, "three"))], Ct);
        var one = (await table.GetEntityAsync<TableEntity>(Key, "one", cancellationToken: Ct)).Value;
        one["Text"] = "changed";
        await table.UpdateEntityAsync(one, one.ETag, TableUpdateMode.Replace, Ct);
        await table.DeleteEntityAsync(Key, "three", cancellationToken: Ct);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == Key, cancellationToken: Ct))
        {
            rows.Add(row);
        }

        // Assert
        rows.Select(r => r.RowKey).Order(StringComparer.Ordinal).ShouldBe(["one", "two"]);
        (await env.Tables.GetTableClient(name).GetEntityAsync<TableEntity>(Key, "one", cancellationToken: Ct)).Value.GetString("Text").ShouldBe("changed");
        proxy.Calls(StorageService.Table).ShouldBe(7);
        proxy.Faults(StorageService.Table).ShouldBe(0);
        await env.Tables.DeleteTableAsync(name, Ct);
    }

    public static TheoryData<StorageService> Services => [.. Enum.GetValues<StorageService>()];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task ServerBusy_is_seen_as_storage_sends_it(StorageService service)
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var target = await Target.CreateAsync(env, proxy, service);
        using var _ = proxy.Inject(new FaultRule { Service = service, Action = FaultAction.ServerBusy });

        var error = await Should.ThrowAsync<RequestFailedException>(target.ReadAsync());

        error.Status.ShouldBe(503);
        error.ErrorCode.ShouldBe("ServerBusy");
        proxy.Faults(service).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task InternalError_is_seen_as_storage_sends_it(StorageService service)
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var target = await Target.CreateAsync(env, proxy, service);
        using var _ = proxy.Inject(new FaultRule { Service = service, Action = FaultAction.InternalError });

        var error = await Should.ThrowAsync<RequestFailedException>(target.ReadAsync());

        error.Status.ShouldBe(500);
        error.ErrorCode.ShouldBe("InternalError");
        proxy.Faults(service).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_reset_is_seen_as_a_failed_connection(StorageService service)
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var target = await Target.CreateAsync(env, proxy, service);
        using var _ = proxy.Inject(new FaultRule { Service = service, Action = FaultAction.Reset });

        var error = await Should.ThrowAsync<RequestFailedException>(target.ReadAsync());

        error.Status.ShouldBe(0, "no answer came");
        error.InnerException.ShouldBeOfType<HttpRequestException>();
        proxy.Faults(service).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_held_call_times_out_at_the_client(StorageService service)
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var target = await Target.CreateAsync(env, proxy, service, networkTimeout: TimeSpan.FromMilliseconds(300));
        using var _ = proxy.Inject(new FaultRule { Service = service, Action = FaultAction.Timeout });
        var clock = Stopwatch.StartNew();

        // Azure.Core ends a call past its network timeout with a cancellation of its own (the test's token is not cancelled).
        await Should.ThrowAsync<TaskCanceledException>(target.ReadAsync());

        Ct.IsCancellationRequested.ShouldBeFalse();
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290));
        proxy.Faults(service).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_delayed_call_succeeds_late(StorageService service)
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var target = await Target.CreateAsync(env, proxy, service);
        using var _ = proxy.Inject(new FaultRule { Service = service, Action = FaultAction.Delay, Delay = TimeSpan.FromMilliseconds(400) });
        var clock = Stopwatch.StartNew();

        await target.ReadAsync();

        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(390));
        proxy.Faults(service).ShouldBe(1);
    }

    [Fact]
    public async Task A_fraction_rule_faults_about_that_fraction_and_its_seed_repeats_which()
    {
        // Arrange: two proxies with one seed, the same rule, the same 200 calls one after another.
        const int Count = 200;
        var seed = Random.Shared.Next();
        var patterns = new List<bool[]>();
        foreach (var _ in new[] { 1, 2 })
        {
            await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString, seed);
            await using var target = await Target.CreateAsync(env, proxy, StorageService.Blob);
            var rule = new FaultRule { Service = StorageService.Blob, Action = FaultAction.ServerBusy, Fraction = 0.25 };
            using var on = proxy.Inject(rule);

            // Act
            var failed = new bool[Count];
            for (var i = 0; i < Count; i++)
            {
                try
                {
                    await target.ReadAsync();
                }
                catch (RequestFailedException ex) when (ex.Status == 503)
                {
                    failed[i] = true;
                }
            }

            // Assert: 25% of 200 is 50, with a standard deviation of about 6; 30 to 70 is beyond three of them.
            failed.Count(f => f).ShouldBe(rule.Fired);
            rule.Fired.ShouldBeInRange(30, 70, proxy.Describe());
            patterns.Add(failed);
        }

        patterns[1].ShouldBe(patterns[0], $"seed {seed} picks the same calls");
    }

    [Fact]
    public async Task A_rule_with_a_predicate_faults_only_the_calls_it_matches()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var target = await Target.CreateAsync(env, proxy, StorageService.Blob);
        var container = new BlobServiceClient(proxy.ConnectionString, NoRetries<BlobClientOptions>(new())).GetBlobContainerClient(target.Name);
        using var _ = proxy.Inject(new FaultRule { Service = StorageService.Blob, Action = FaultAction.InternalError, Match = c => c.Method == "PUT" && c.Path.EndsWith("/written", StringComparison.Ordinal) });

        var write = Should.ThrowAsync<RequestFailedException>(container.GetBlobClient("written").UploadAsync(BinaryData.FromString("x"), Ct));
        (await write).Status.ShouldBe(500);
        await container.GetBlobClient("other").UploadAsync(BinaryData.FromString("y"), Ct);
        await target.ReadAsync();

        proxy.Faults(StorageService.Blob).ShouldBe(1);
    }

    [Fact]
    public async Task A_rule_with_a_window_ends_by_itself()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var target = await Target.CreateAsync(env, proxy, StorageService.Table);
        var clock = Stopwatch.StartNew();
        using var _ = proxy.Inject(new FaultRule { Service = StorageService.Table, Action = FaultAction.ServerBusy, Window = TimeSpan.FromMilliseconds(500) });

        var first = await Should.ThrowAsync<RequestFailedException>(target.ReadAsync());
        await Eventually.GetAsync(() => target.TryReadAsync(), ok => ok, TimeSpan.FromSeconds(10), "the window to close");

        first.Status.ShouldBe(503);
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(490));
        proxy.Faults(StorageService.Table).ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task A_switched_off_rule_faults_nothing_more()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var target = await Target.CreateAsync(env, proxy, StorageService.Queue);
        var on = proxy.Inject(new FaultRule { Service = StorageService.Queue, Action = FaultAction.ServerBusy });

        await Should.ThrowAsync<RequestFailedException>(target.ReadAsync());
        on.Dispose();
        await target.ReadAsync();

        proxy.Faults(StorageService.Queue).ShouldBe(1);
    }

    [Fact]
    public async Task A_blob_written_before_a_500_is_in_storage_though_the_client_saw_it_fail()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var target = await Target.CreateAsync(env, proxy, StorageService.Blob);
        var blob = new BlobServiceClient(proxy.ConnectionString, NoRetries<BlobClientOptions>(new())).GetBlobContainerClient(target.Name).GetBlobClient("after-forward");
        using var _ = proxy.Inject(new FaultRule { Service = StorageService.Blob, Action = FaultAction.InternalError, AfterForward = true });

        var error = await Should.ThrowAsync<RequestFailedException>(blob.UploadAsync(BinaryData.FromString("it was written"), Ct));

        error.Status.ShouldBe(500);
        var stored = await env.Blobs.GetBlobContainerClient(target.Name).GetBlobClient("after-forward").DownloadContentAsync(Ct);
        stored.Value.Content.ToString().ShouldBe("it was written");
    }

    [Fact]
    public async Task A_message_sent_before_a_reset_is_in_the_queue_though_the_client_saw_it_fail()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var target = await Target.CreateAsync(env, proxy, StorageService.Queue);
        var queue = new QueueServiceClient(proxy.ConnectionString, NoRetries<QueueClientOptions>(new())).GetQueueClient(target.Name);
        using var _ = proxy.Inject(new FaultRule { Service = StorageService.Queue, Action = FaultAction.Reset, AfterForward = true });

        await Should.ThrowAsync<RequestFailedException>(queue.SendMessageAsync("it was sent", Ct));

        var peeked = await new QueueServiceClient(env.StorageConnectionString).GetQueueClient(target.Name).PeekMessagesAsync(10, Ct);
        peeked.Value.Select(m => m.MessageText).ShouldBe(["it was sent"]);
    }

    [Fact]
    public async Task An_entity_added_before_a_500_is_in_the_table_so_a_blind_retry_conflicts()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var target = await Target.CreateAsync(env, proxy, StorageService.Table);
        var table = new TableServiceClient(proxy.ConnectionString, NoRetries<TableClientOptions>(new())).GetTableClient(target.Name);
        var on = proxy.Inject(new FaultRule { Service = StorageService.Table, Action = FaultAction.InternalError, AfterForward = true });

        (await Should.ThrowAsync<RequestFailedException>(table.AddEntityAsync(new TableEntity("p", "r"), Ct))).Status.ShouldBe(500);
        on.Dispose();
        var retry = await Should.ThrowAsync<RequestFailedException>(table.AddEntityAsync(new TableEntity("p", "r"), Ct));

        retry.Status.ShouldBe(409, "the first add took effect");
        (await env.Tables.GetTableClient(target.Name).GetEntityIfExistsAsync<TableEntity>("p", "r", cancellationToken: Ct)).HasValue.ShouldBeTrue();
    }

    /// <summary>Client options without retries (each fault reaches the caller), with a network timeout when given.</summary>
    private static T NoRetries<T>(T options, TimeSpan? networkTimeout = null)
        where T : ClientOptions
    {
        options.Retry.MaxRetries = 0;
        if (networkTimeout is { } timeout)
        {
            options.Retry.NetworkTimeout = timeout;
        }

        return options;
    }

    /// <summary>A container, queue or table of the test's own, made past the proxy, and one read of it through the proxy.</summary>
    private sealed class Target : IAsyncDisposable
    {
        private readonly TestEnvironment env;
        private readonly Func<Task> read;

        private Target(TestEnvironment env, StorageService service, string name, Func<Task> read)
        {
            this.env = env;
            Service = service;
            Name = name;
            this.read = read;
        }

        public StorageService Service { get; }

        public string Name { get; }

        public static async Task<Target> CreateAsync(TestEnvironment env, StorageFaultProxy proxy, StorageService service, TimeSpan? networkTimeout = null)
        {
            var name = "proxy" + Guid.NewGuid().ToString("N")[..12];
            switch (service)
            {
                case StorageService.Blob:
                    await env.Blobs.CreateBlobContainerAsync(name, cancellationToken: Ct);
                    var container = new BlobServiceClient(proxy.ConnectionString, NoRetries(new BlobClientOptions(), networkTimeout)).GetBlobContainerClient(name);
                    return new Target(env, service, name, () => container.GetPropertiesAsync(cancellationToken: Ct));
                case StorageService.Queue:
                    await new QueueServiceClient(env.StorageConnectionString).CreateQueueAsync(name, cancellationToken: Ct);
                    var queue = new QueueServiceClient(proxy.ConnectionString, NoRetries(new QueueClientOptions(), networkTimeout)).GetQueueClient(name);
                    return new Target(env, service, name, () => queue.GetPropertiesAsync(Ct));
                default:
                    await env.Tables.CreateTableAsync(name, Ct);
                    var table = new TableServiceClient(proxy.ConnectionString, NoRetries(new TableClientOptions(), networkTimeout)).GetTableClient(name);
                    return new Target(env, service, name, () => table.GetEntityIfExistsAsync<TableEntity>("p", "r", cancellationToken: Ct));
            }
        }

        public Task ReadAsync() => read();

        public async Task<bool> TryReadAsync()
        {
            try
            {
                await read();
                return true;
            }
            catch (RequestFailedException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            switch (Service)
            {
                case StorageService.Blob:
                    await env.Blobs.DeleteBlobContainerAsync(Name, cancellationToken: Ct);
                    break;
                case StorageService.Queue:
                    await new QueueServiceClient(env.StorageConnectionString).DeleteQueueAsync(Name, Ct);
                    break;
                default:
                    await env.Tables.DeleteTableAsync(Name, Ct);
                    break;
            }
        }
    }
}
