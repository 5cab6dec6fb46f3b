using App.Worker.Feeds;
using App.Worker.Feeds.Parse;

namespace App.Tests.Worker.Feeds.Parse;

public sealed class XmlRepairTests
{
    [Theory]
    [InlineData("<t>caf&eacute;&nbsp;</t>", "<t>caf&#233;&#160;</t>")]
    [InlineData("<t>Fish & Chips</t>", "<t>Fish &amp; Chips</t>")]
    [InlineData("<t>&unknownentity; &amp; &lt;&gt;&quot;&apos;</t>", "<t>&amp;unknownentity; &amp; &lt;&gt;&quot;&apos;</t>")]
    [InlineData("<t>&#65;&#x42;&#0;&#x1;</t>", "<t>&#65;&#x42;</t>")]
    [InlineData("<t>a\u0001b\u000Bc\uFFFEd</t>", "<t>abcd</t>")]
    [InlineData("<t>emoji \U0001F600 kept</t>", "<t>emoji \U0001F600 kept</t>")]
    [InlineData("<t><![CDATA[R&D &nbsp; <b>]]></t>", "<t><![CDATA[R&D &nbsp; <b>]]></t>")]
    [InlineData("<!-- a & b --><t/>", "<!-- a & b --><t/>")]
    [InlineData("<a href=\"?x=1&y=2\"/>", "<a href=\"?x=1&amp;y=2\"/>")]
    public void Repair_MendsWhatStrictXmlRefuses_AndLeavesTheRest(string input, string expected) =>
        Assert.Equal(expected, XmlRepair.Repair(input));

    [Fact]
    public void ALongCDataSection_IsHandedOnInPieces_ThatReadAsTheSameText()
    {
        // An XML reader holds a whole CDATA node in its buffer: a section of a megabyte is split.
        var text = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"<p>{i} 😀 ]] > &amp;</p>"));

        var repaired = XmlRepair.Repair($"<t><![CDATA[{text}]]></t>");

        Assert.True(repaired.Split("<![CDATA[").Length > 10, "split into sections");
        Assert.Equal(text, System.Xml.Linq.XElement.Parse(repaired).Value);
    }

    [Fact]
    public void ADoctypeNamingAnExternalDtd_IsRemoved_KeepingLineNumbers()
    {
        var repaired = XmlRepair.Repair("<?xml version=\"1.0\"?>\n<!DOCTYPE rss PUBLIC \"-//Netscape\"\n \"http://x/rss.dtd\">\n<rss/>");
        Assert.Equal("<?xml version=\"1.0\"?>\n\n\n<rss/>", repaired);
    }

    [Theory]
    [InlineData("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>")]
    [InlineData("<!DOCTYPE x SYSTEM \"file:///etc/passwd\" [ ]><x/>")]
    [InlineData("<!DOCTYPE x")]
    public void ADoctypeWithDeclarations_IsRefused(string xml)
    {
        var e = Assert.Throws<FeedException>(() => XmlRepair.Repair(xml));
        Assert.Contains("DTD", e.Message);
    }

    [Fact]
    public void ConstructsLongerThanTheReadWindow_AreMendedWhole()
    {
        // The repair reads its source through a window of 16 Ki characters; these straddle and outgrow it.
        var filler = new string('x', 16 * 1024 - 3);
        var cdata = "<![CDATA[" + new string('c', 40_000) + " & ]]>";
        var input = $"<t>{filler}&eacute;{cdata}<!-- {new string('-', 10)} & --> &nbsp;</t>";

        var repaired = XmlRepair.Repair(input);

        Assert.Equal($"<t>{filler}&#233;{cdata}<!-- {new string('-', 10)} & --> &#160;</t>", repaired);
    }
}
