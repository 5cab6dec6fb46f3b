using System.ComponentModel.DataAnnotations;
using App.Data.Queue;
using App.Data.Writes;
using App.Web.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace App.Web.Opml;

/// <summary><c>/opml</c>: import subscriptions from an OPML file (then follow the batch), or export them.</summary>
// Room for the 1 MiB file plus the form's own parts; a larger body is refused before it is read.
[RequestFormLimits(MultipartBodyLengthLimit = 2 * OpmlReader.MaxBytes)]
[RequestSizeLimit(2 * OpmlReader.MaxBytes)]
public sealed class OpmlPageModel(WriteLane lane, JobQueue queue, TimeProvider time, IOptions<OpmlOptions> options) : PageModel
{
    [BindProperty]
    [Display(Name = "OPML file")]
    public IFormFile? Upload { get; set; }

    /// <summary>The outcome of an import that added nothing.</summary>
    public string? Message { get; private set; }

    /// <summary>An import summary, shown once on the batch's progress page.</summary>
    [TempData]
    public string? ImportSummary { get; set; }

    /// <summary>The summary of an import that added only feeds fetched already, shown once on the feeds list.</summary>
    [TempData(Key = "Message")]
    public string? ListMessage { get; set; }

    /// <summary>Feeds one file may list (<c>Opml:MaxOutlines</c>), said next to the form.</summary>
    public int MaxOutlines => options.Value.MaxOutlines;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Upload is not { Length: > 0 } file)
        {
            ModelState.AddModelError(nameof(Upload), "Choose an OPML file to import.");
            return Page();
        }
        if (file.Length > OpmlReader.MaxBytes)
        {
            ModelState.AddModelError(nameof(Upload), $"The file is larger than {OpmlReader.MaxBytes / 1024 / 1024} MiB.");
            return Page();
        }
        IReadOnlyList<OpmlOutline> outlines;
        try
        {
            await using var stream = file.OpenReadStream();
            outlines = await OpmlReader.ReadAsync(stream, ct);
            OpmlImport.EnsureWithinCap(outlines, options.Value.MaxOutlines);
        }
        catch (OpmlException e)
        {
            ModelState.AddModelError(nameof(Upload), e.Message);
            return Page();
        }

        var result = await OpmlImport.ImportAsync(lane, queue, time, User.UserId(), outlines, OpmlImport.BatchName(file.FileName), ct);
        if (result.Added == 0)
        {
            Message = $"Nothing to import: {result.Summary()}";
            return Page();
        }
        if (result.BatchId is not { } batchId)
        {
            ListMessage = $"Imported {result.Summary()}";
            return Redirect("/");
        }
        ImportSummary = $"Imported {result.Summary()}";
        return Redirect($"/batches/{batchId}");
    }
}
