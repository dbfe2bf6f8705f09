using Microsoft.DurableTask;

namespace Compliance.Tests.Infrastructure;

/// <summary>That the fake context fails where an orchestrator leaves its script, and keeps the engine's order of events and timers.</summary>
public sealed class FakeOrchestrationContextTests
{
    private static readonly DateTime Start = new(2026, 1, 5, 8, 0, 0, DateTimeKind.Utc);

    // Not constants, so the Durable analyzer does not look for activities of these names in the product.
    private static readonly string A = "A";
    private static readonly string Unscripted = "Unscripted";

    [Fact]
    public void An_activity_without_a_script_stops_the_run()
    {
        var context = new FakeOrchestrationContext("i", Start);

        var thrown = Should.Throw<FakeOrchestrationException>(() => context.Run(async (TaskOrchestrationContext c, string input) => await c.CallActivityAsync<int>(Unscripted, input), "x"));

        thrown.Message.ShouldContain("Unscripted");
    }

    [Fact]
    public void A_script_result_of_the_wrong_type_stops_the_run()
    {
        var context = new FakeOrchestrationContext("i", Start).OnActivity<string, string>("A", _ => "text");

        Should.Throw<FakeOrchestrationException>(() => context.Run(async (TaskOrchestrationContext c, string input) => await c.CallActivityAsync<int>(A, input), "x"));
    }

    [Fact]
    public void An_input_of_the_wrong_type_stops_the_run()
    {
        var context = new FakeOrchestrationContext("i", Start).OnActivity<int, int>("A", n => n);

        Should.Throw<FakeOrchestrationException>(() => context.Run(async (TaskOrchestrationContext c, string input) => await c.CallActivityAsync<int>(A, input), "x"));
    }

    [Fact]
    public void An_event_of_the_wrong_type_stops_the_run()
    {
        var context = new FakeOrchestrationContext("i", Start).RaiseEvent("E", "text");

        Should.Throw<FakeOrchestrationException>(() => context.Run(async (TaskOrchestrationContext c, string _) => await c.WaitForExternalEvent<int>("E"), "x"));
    }

    [Fact]
    public void A_throwing_script_fails_the_call_as_the_engine_does_once_retries_are_spent()
    {
        var context = new FakeOrchestrationContext("i", Start).OnActivity<string, int>("A", _ => throw new InvalidOperationException("down"));

        var run = context.Run(async (TaskOrchestrationContext c, string input) => await c.CallActivityAsync<int>(A, input), "x");

        run.Failure.ShouldBeOfType<TaskFailedException>().FailureDetails.ErrorMessage.ShouldBe("down");
        Should.Throw<FakeOrchestrationException>(() => run.Output);
    }

    [Fact]
    public void With_no_event_raised_the_timer_wins_and_the_clock_moves_to_it()
    {
        var context = new FakeOrchestrationContext("i", Start);

        var run = context.Run(async (TaskOrchestrationContext c, string _) =>
        {
            var timer = c.CreateTimer(c.CurrentUtcDateTime.AddHours(2), CancellationToken.None);
            var winner = await Task.WhenAny(timer, c.WaitForExternalEvent<int>("E"));
            return (winner == timer, c.CurrentUtcDateTime);
        }, "x");

        run.Output.ShouldBe((true, Start.AddHours(2)));
        context.WaitingFor.ShouldBe(["E"]);
    }

    [Fact]
    public void An_event_raised_before_the_timer_wins_and_the_timer_is_left_pending_unless_cancelled()
    {
        var context = new FakeOrchestrationContext("i", Start).RaiseEventAt(Start.AddHours(1), "E", 7);

        var run = context.Run(async (TaskOrchestrationContext c, string _) =>
        {
            var timer = c.CreateTimer(c.CurrentUtcDateTime.AddHours(2), CancellationToken.None);
            var @event = c.WaitForExternalEvent<int>("E");
            await Task.WhenAny(timer, @event);
            return (await @event, c.CurrentUtcDateTime);
        }, "x");

        run.Output.ShouldBe((7, Start.AddHours(1)));
        context.PendingTimers.ShouldHaveSingleItem();
    }

    [Fact]
    public void An_event_nobody_waits_for_is_kept_for_the_next_waiter()
    {
        var context = new FakeOrchestrationContext("i", Start).OnActivity<string, int>("A", _ => 1).RaiseEventDuring("A", "e", 5);

        var run = context.Run(async (TaskOrchestrationContext c, string input) => await c.CallActivityAsync<int>(A, input) + await c.WaitForExternalEvent<int>("E"), "x");

        run.Output.ShouldBe(6);
        context.ReceivedEvents.Select(e => e.Fate).ShouldBe([EventFate.Buffered, EventFate.Delivered]);
    }

    [Fact]
    public void An_event_goes_to_the_newest_waiter_even_a_cancelled_one_as_in_the_engine()
    {
        var context = new FakeOrchestrationContext("i", Start).RaiseEvent("E", 1);

        var run = context.Run(async (TaskOrchestrationContext c, string _) =>
        {
            var first = c.WaitForExternalEvent<int>("E");
            using var cancel = new CancellationTokenSource();
            var cancelled = c.WaitForExternalEvent<int>("E", cancel.Token);
            // Cancel, as an orchestrator must: CancelAsync would run the callbacks on another thread.
#pragma warning disable CA1849
            cancel.Cancel();
#pragma warning restore CA1849
            return (await first, cancelled.IsCanceled);
        }, "x");

        run.IsCompleted.ShouldBeFalse();
        context.ReceivedEvents.ShouldHaveSingleItem().Fate.ShouldBe(EventFate.LostToCancelledWaiter);
        context.WaitingFor.ShouldBe(["E"]);
    }

    [Fact]
    public void A_run_waiting_for_an_event_goes_on_when_it_is_raised()
    {
        var context = new FakeOrchestrationContext("i", Start);
        var run = context.Run(async (TaskOrchestrationContext c, string _) => await c.WaitForExternalEvent<int>("E"), "x");
        run.IsCompleted.ShouldBeFalse();

        context.RaiseEvent("E", 3);

        run.Continue().Output.ShouldBe(3);
    }

    [Fact]
    public void Activities_in_flight_complete_oldest_first_and_take_their_scripted_time()
    {
        var context = new FakeOrchestrationContext("i", Start)
            .OnActivity<int, int>("A", n => n, takes: TimeSpan.FromMinutes(10));

        var run = context.Run(async (TaskOrchestrationContext c, string _) =>
        {
            var calls = new[] { c.CallActivityAsync<int>(A, 1), c.CallActivityAsync<int>(A, 2) };
            var first = await Task.WhenAny(calls);
            return (await first, c.CurrentUtcDateTime);
        }, "x");

        run.Output.ShouldBe((1, Start.AddMinutes(10)));
        context.MaxInFlight("A").ShouldBe(2);
    }
}
