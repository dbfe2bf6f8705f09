namespace Compliance.Deadlines;

/// <summary>A one-off change to the usual bank holidays: an extra day, or (with <paramref name="MovedFrom"/>) a usual one held on another day.</summary>
/// <param name="Date">The day that is a bank holiday.</param>
/// <param name="Name">Its name, as GOV.UK writes it.</param>
/// <param name="MovedFrom">For a moved holiday, the usual day it replaces, which is then a working day; null for an extra day.</param>
public sealed record BankHolidayChange(DateOnly Date, string Name, DateOnly? MovedFrom = null);
