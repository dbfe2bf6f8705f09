using Azure.Data.Tables;
using Compliance.Storage;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Participants;

/// <summary>Erasure, rectification and opt-out of contact details in the Participants table; the pseudonymous id survives all of them.</summary>
public sealed class ContactDetailsTests(TestEnvironment env)
{
    private static readonly DateTimeOffset At = new(2024, 10, 1, 9, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private StudyStore Store => new(env.Tables);

    [Fact]
    public async Task Erasure_removes_name_email_phone_and_the_email_lookup_and_keeps_the_id()
    {
        var (studyId, participant) = await AddAsync("Robin.Example@Example.org");

        (await Store.EraseContactAsync(studyId, participant.ParticipantId, At, Ct)).ShouldBe(ContactChange.Updated);

        var erased = (await Store.FindParticipantAsync(studyId, participant.ParticipantId, Ct))!;
        erased.ShouldBe(participant with { Name = null, Email = null, Phone = null, DoNotContact = true, ErasedAt = At, UpdatedAt = At });
        (await Store.FindParticipantByEmailAsync(studyId, "robin.example@example.org", Ct)).ShouldBeNull();
        (await Store.FindParticipantByEmailAsync(studyId, "Robin.Example@Example.org", Ct)).ShouldBeNull();

        // Nothing of the old values is left in the row, not even an empty property.
        var row = (await env.Tables.GetTableClient(StorageLayout.Tables.Participants).GetEntityAsync<TableEntity>(studyId, participant.ParticipantId, cancellationToken: Ct)).Value;
        row.Keys.ShouldNotContain("Name");
        row.Keys.ShouldNotContain("Email");
        row.Keys.ShouldNotContain("EmailNormalised");
        row.Keys.ShouldNotContain("Phone");
        row.Select(p => p.Value).OfType<string>().ShouldNotContain(v => v.Contains("robin", StringComparison.OrdinalIgnoreCase));

        // The address is free again: a new participant may be registered with it.
        (await Store.TryAddParticipantAsync(NewParticipant(studyId, "robin.example@example.org"), Ct)).ShouldBeTrue();
    }

    [Fact]
    public async Task Erasure_repeated_changes_nothing_and_keeps_the_first_time()
    {
        var (studyId, participant) = await AddAsync();
        await Store.EraseContactAsync(studyId, participant.ParticipantId, At, Ct);

        (await Store.EraseContactAsync(studyId, participant.ParticipantId, At.AddHours(1), Ct)).ShouldBe(ContactChange.Unchanged);

        (await Store.FindParticipantAsync(studyId, participant.ParticipantId, Ct))!.ErasedAt.ShouldBe(At);
    }

    [Fact]
    public async Task An_unknown_participant_is_reported_and_not_created()
    {
        var studyId = StudyApi.NewStudyId();

        (await Store.EraseContactAsync(studyId, "P-00000000", At, Ct)).ShouldBe(ContactChange.ParticipantNotFound);
        (await Store.SetDoNotContactAsync(studyId, "P-00000000", At, Ct)).ShouldBe(ContactChange.ParticipantNotFound);
        (await Store.UpdateContactAsync(studyId, "P-00000000", "A Name", null, null, At, Ct)).ShouldBe(ContactChange.ParticipantNotFound);

        (await Store.FindParticipantAsync(studyId, "P-00000000", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_new_email_becomes_the_one_requests_match_and_the_old_one_matches_nothing()
    {
        var (studyId, participant) = await AddAsync("old@example.org");

        (await Store.UpdateContactAsync(studyId, participant.ParticipantId, null, null, "New.Address@Example.org", At, Ct)).ShouldBe(ContactChange.Updated);

        (await Store.FindParticipantByEmailAsync(studyId, "new.address@example.org", Ct))!.ParticipantId.ShouldBe(participant.ParticipantId);
        (await Store.FindParticipantByEmailAsync(studyId, "old@example.org", Ct)).ShouldBeNull();
        var updated = (await Store.FindParticipantAsync(studyId, participant.ParticipantId, Ct))!;
        updated.ShouldBe(participant with { Email = "New.Address@Example.org", UpdatedAt = At });
    }

    [Fact]
    public async Task Name_and_phone_change_alone_and_a_repeat_changes_nothing()
    {
        var (studyId, participant) = await AddAsync();

        (await Store.UpdateContactAsync(studyId, participant.ParticipantId, " Sam Example ", "+44 20 7946 0000", null, At, Ct)).ShouldBe(ContactChange.Updated);
        (await Store.UpdateContactAsync(studyId, participant.ParticipantId, "Sam Example", "+44 20 7946 0000", participant.Email, At.AddHours(1), Ct)).ShouldBe(ContactChange.Unchanged);

        (await Store.FindParticipantAsync(studyId, participant.ParticipantId, Ct))!.ShouldBe(participant with { Name = "Sam Example", Phone = "+44 20 7946 0000", UpdatedAt = At });
    }

    [Fact]
    public async Task An_email_held_by_another_participant_of_the_study_is_refused()
    {
        var (studyId, first) = await AddAsync("taken@example.org");
        var second = NewParticipant(studyId, "second@example.org");
        await Store.TryAddParticipantAsync(second, Ct);

        (await Store.UpdateContactAsync(studyId, second.ParticipantId, "Changed Name", null, "TAKEN@example.org", At, Ct)).ShouldBe(ContactChange.EmailInUse);

        (await Store.FindParticipantAsync(studyId, second.ParticipantId, Ct))!.ShouldBe(second, "nothing is written when the address is refused");
        (await Store.FindParticipantByEmailAsync(studyId, "taken@example.org", Ct))!.ParticipantId.ShouldBe(first.ParticipantId);
    }

    [Fact]
    public async Task The_same_email_in_another_study_is_no_obstacle()
    {
        var (_, other) = await AddAsync("shared@example.org");
        var (studyId, participant) = await AddAsync();

        (await Store.UpdateContactAsync(studyId, participant.ParticipantId, null, null, other.Email, At, Ct)).ShouldBe(ContactChange.Updated);
    }

    [Theory]
    [InlineData(null, null, "not an address")]
    [InlineData(null, null, "Robin <robin@example.org>")]
    [InlineData("  ", null, null)]
    [InlineData(null, "", null)]
    public async Task Empty_values_and_malformed_addresses_are_refused(string? name, string? phone, string? email)
    {
        var (studyId, participant) = await AddAsync();

        await Should.ThrowAsync<ArgumentException>(() => Store.UpdateContactAsync(studyId, participant.ParticipantId, name, phone, email, At, Ct));
    }

    [Fact]
    public async Task Opting_out_sets_do_not_contact_once_and_keeps_the_contact_details()
    {
        var (studyId, participant) = await AddAsync();

        (await Store.SetDoNotContactAsync(studyId, participant.ParticipantId, At, Ct)).ShouldBe(ContactChange.Updated);
        (await Store.SetDoNotContactAsync(studyId, participant.ParticipantId, At.AddDays(1), Ct)).ShouldBe(ContactChange.Unchanged);

        (await Store.FindParticipantAsync(studyId, participant.ParticipantId, Ct))!.ShouldBe(participant with { DoNotContact = true, UpdatedAt = At });
        (await Store.FindParticipantByEmailAsync(studyId, participant.Email!, Ct)).ShouldNotBeNull("an opted-out participant can still make requests");
    }

    [Fact]
    public async Task A_participant_written_before_these_fields_existed_reads_as_never_erased_or_updated()
    {
        var (studyId, participant) = await AddAsync();

        var read = (await Store.FindParticipantAsync(studyId, participant.ParticipantId, Ct))!;

        read.ErasedAt.ShouldBeNull();
        read.UpdatedAt.ShouldBeNull();
    }

    private async Task<(string StudyId, Participant Participant)> AddAsync(string? email = null)
    {
        var studyId = StudyApi.NewStudyId();
        var participant = NewParticipant(studyId, email ?? $"p.{Guid.NewGuid():N}@example.org");
        (await Store.TryAddParticipantAsync(participant, Ct)).ShouldBeTrue();
        return (studyId, participant);
    }

    private static Participant NewParticipant(string studyId, string email) => new()
    {
        StudyId = studyId,
        ParticipantId = PseudonymousId.New(PseudonymousId.Participant),
        Name = "Robin Example",
        Email = email,
        Phone = "01234 567890",
        NoticeVersion = "PSMPS-QUAL-2024",
        RegisteredAt = new DateTimeOffset(2024, 7, 1, 9, 0, 0, TimeSpan.Zero),
    };
}
