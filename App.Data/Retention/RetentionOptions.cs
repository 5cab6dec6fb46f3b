using System.ComponentModel.DataAnnotations;

namespace App.Data.Retention;

/// <summary>How long items are kept (configuration section <c>Reader</c>).</summary>
public sealed class RetentionOptions : IValidatableObject
{
    public const string Section = "Reader";

    /// <summary>An item nobody has unread goes once it is this old (by when it was stored).</summary>
    public TimeSpan RetainReadItems { get; set; } = TimeSpan.FromDays(60);

    /// <summary>An item someone has unread goes once it is this old; never sooner than <see cref="RetainReadItems"/>.</summary>
    public TimeSpan RetainUnreadItems { get; set; } = TimeSpan.FromDays(180);

    /// <summary>The newest this many items of each feed are kept whatever their age.</summary>
    [Range(0, 1_000_000)]
    public int KeepItemsPerFeed { get; set; } = 100;

    /// <summary>How often a worker runs the purge; zero turns it off.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetainReadItems <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Reader:RetainReadItems must be positive.", [nameof(RetainReadItems)]);
        }
        if (RetainUnreadItems < RetainReadItems)
        {
            yield return new ValidationResult("Reader:RetainUnreadItems must be at least Reader:RetainReadItems.", [nameof(RetainUnreadItems)]);
        }
        if (PurgeInterval < TimeSpan.Zero)
        {
            yield return new ValidationResult("Reader:PurgeInterval must not be negative.", [nameof(PurgeInterval)]);
        }
    }
}
