namespace App.Data.Queue;

/// <summary>How many jobs of one type a claim takes at most; a null type: any type.</summary>
internal readonly record struct TypeClaim(string? Type, int Max);
