namespace App.Data.Moving;

/// <summary>The copy will not start (the target holds data, or a database is of the wrong engine); nothing was written. The message says why, for a person.</summary>
public sealed class CopyRefusedException(string message) : Exception(message);
