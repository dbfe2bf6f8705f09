using Compliance.Mail.Intake;

namespace Compliance.Tests.Mail.Intake;

public sealed class HtmlTextTests
{
    [Fact]
    public void Scripts_styles_heads_and_comments_are_dropped()
    {
        var text = HtmlText.Reduce("<html><head><title>T</title><style>p{color:red}</style></head><body><!-- hidden --><script>alert(1)</script><p>Visible</p></body></html>");

        text.ShouldBe("Visible");
    }

    [Fact]
    public void Block_elements_and_line_breaks_become_new_lines_and_source_line_breaks_do_not()
    {
        var text = HtmlText.Reduce("<div>First\nline</div><div>Second<br>Third</div><p>Fourth</p><ul><li>one</li><li>two</li></ul>");

        text.ShouldBe("First line\nSecond\nThird\n\nFourth\n\n- one\n- two");
    }

    [Fact]
    public void Entities_are_decoded_named_and_numeric()
    {
        HtmlText.Reduce("<p>Tom &amp; Jerry&nbsp;&lt;3 &#8211; caf&eacute; &#x2019;</p>").ShouldBe("Tom & Jerry <3 \u2013 caf\u00e9 \u2019");
    }

    [Fact]
    public void Blockquotes_become_quoted_lines()
    {
        var text = HtmlText.Reduce("<div>New words</div><blockquote><div>Old words</div><blockquote>Older</blockquote>Back</blockquote><div>After</div>");

        text.ShouldBe("New words\n\n> Old words\n\n> > Older\n\n> Back\n\nAfter");
    }

    [Fact]
    public void Broken_html_loses_no_text()
    {
        HtmlText.Reduce("<p>Unclosed <b>bold <i>and <div>more").ShouldBe("Unclosed bold and\nmore");
        HtmlText.Reduce("a < b and c > d").ShouldBe("a < b and c > d");
        HtmlText.Reduce("<style>never closed").ShouldBe(string.Empty);
        HtmlText.Reduce(null).ShouldBe(string.Empty);
    }

    [Fact]
    public void Hostile_nesting_costs_no_more_text_than_it_holds()
    {
        var quotes = string.Concat(Enumerable.Repeat("<blockquote>q", 20_000));
        var text = HtmlText.Reduce(quotes);

        text.Split('\n').Where(l => l.StartsWith('>')).ShouldAllBe(l => l.Length <= (2 * HtmlText.MaxQuoteDepth) + 1);
        text.Length.ShouldBeLessThan(quotes.Length * 2);

        var divs = HtmlText.Reduce(string.Concat(Enumerable.Repeat("<div>", 100_000)) + "text");
        divs.ShouldBe("text");
    }
}
