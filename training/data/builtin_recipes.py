"""Hand-annotated recipes behind the built-in workflows data set.

A recipe is one gold DAG over the built-in task types (its steps, with request-specific
description templates and the earlier steps each one reads) together with several hand-written
phrasings of the request and several domain fillings of their slots. Every workflow of a recipe
shares its DAG; phrasings and fillings vary the wording, the domain and the files named.

Annotation rules (see ``README.md`` beside this file):

- a step depends on exactly the earlier steps whose output it reads, nothing else;
- a file named or attached (PDF, audio, image, CSV) gets its reading step (``extract_text``,
  ``transcribe_audio``, ``caption_image``, ``analyze_table``); pasted text does not;
- a step's description is the worker's prompt, so it names what the request asked for;
- the last phrasing of each recipe is held out: its workflows form the validation split.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["RECIPES", "Recipe", "Step"]


@dataclass(frozen=True)
class Step:
    """One gold node: its task type, a description template and the earlier steps it reads."""

    task_type: str
    description: str
    deps: tuple[int, ...] = ()


@dataclass(frozen=True)
class Recipe:
    """A gold DAG with the request phrasings and slot fillings that share it.

    Attributes:
        name: a short key, unique across recipes.
        steps: the nodes in execution order; ``deps`` index earlier steps.
        requests: request templates; every slot a step description uses appears in each one.
        fills: slot values, one mapping per domain variant.
        count: how many (phrasing, filling) pairs to draw, at most ``len(requests) * len(fills)``.
    """

    name: str
    steps: tuple[Step, ...]
    requests: tuple[str, ...]
    fills: tuple[Mapping[str, str], ...]
    count: int


def _fills(keys: str, *rows: tuple[str, ...]) -> tuple[dict[str, str], ...]:
    names = keys.split()
    return tuple(dict(zip(names, row, strict=True)) for row in rows)


S = Step

_SINGLE = (
    Recipe(
        "summarize_text",
        (S("summarize", "Summarise the {thing} into {form}"),),
        (
            "Summarise the {thing} below in {form}.",
            "tl;dr the following {thing}, please ({form}).",
            "Can you condense the {thing} I pasted into {form}?",
            "I don't have time to read this {thing} (text below). Boil it down to {form}.",
            "Here is the text of a {thing}; reduce it to {form}.",
        ),
        _fills(
            "thing form",
            ("news article", "three bullet points"),
            ("customer feedback thread", "a short paragraph"),
            ("blog post about remote work", "two sentences"),
            ("textbook section on photosynthesis", "five key points for revision"),
            ("set of release notes", "a one-line changelog entry"),
            ("policy memo", "a short executive summary"),
        ),
        10,
    ),
    Recipe(
        "translate_text",
        (S("translate", "Translate the {thing} into {lang}"),),
        (
            "Translate this {thing} into {lang}.",
            "Could you put the following {thing} into {lang}?",
            "I need the {thing} below in {lang}; please keep the tone.",
            "{lang} version of this {thing}, please.",
            "Our {lang}-speaking customers need the {thing} pasted here in their language.",
        ),
        _fills(
            "thing lang",
            ("product description", "French"),
            ("welcome email", "Spanish"),
            ("safety notice", "German"),
            ("FAQ answer", "Japanese"),
            ("course announcement", "Portuguese"),
            ("press release", "Italian"),
        ),
        10,
    ),
    Recipe(
        "answer_from_text",
        (S("answer_question", "From the {thing}, answer {q}"),),
        (
            "Using the {thing} below, tell me {q}.",
            "Quick question about this {thing} I pasted: I need to know {q}.",
            "Look through the following {thing} and find out {q}.",
            "Can you check the {thing} below and say {q}?",
            "From the {thing} pasted here, work out {q}.",
        ),
        _fills(
            "thing q",
            ("returns policy", "how many days a customer has to return an item"),
            ("lecture excerpt", "which enzyme limits the reaction rate"),
            ("service agreement", "who is responsible for data backups"),
            ("onboarding guide", "when new hires get their laptop"),
            ("match report", "who scored the winning goal"),
        ),
        5,
    ),
    Recipe(
        "generate_text",
        (S("generate_text", "Write {what}"),),
        (
            "Write {what}.",
            "Draft {what} for me.",
            "Could you put together {what}?",
            "I need {what}; keep it short and friendly.",
            "Help me write {what}.",
        ),
        _fills(
            "what",
            ("an email inviting the team to Friday's retrospective",),
            ("a cover letter for a junior data analyst role",),
            ("an outline for a blog post on home composting",),
            ("a polite reminder to a client about an overdue invoice",),
            ("five quiz questions on the French Revolution for year 9",),
            ("a product announcement for our new budgeting app",),
        ),
        10,
    ),
    Recipe(
        "classify_text",
        (S("classify", "Classify the {thing} as {labels}"),),
        (
            "Classify this {thing}: {labels}?",
            "Label the following {thing} as {labels}.",
            "Which category does the {thing} below fall into: {labels}?",
            "Tag this incoming {thing} with one of: {labels}.",
            "Sort the {thing} I pasted into the right bucket ({labels}).",
        ),
        _fills(
            "thing labels",
            ("support ticket", "billing, technical or account access"),
            ("product review", "positive, neutral or negative"),
            ("email", "spam or not spam"),
            ("news headline", "politics, sport, business or science"),
            ("chat message", "complaint, question or praise"),
        ),
        5,
    ),
    Recipe(
        "embed_texts",
        (S("embed", "Embed the {items} to {purpose}"),),
        (
            "Embed these {items} so I can {purpose}.",
            "Compute sentence embeddings for the {items}; I want to {purpose}.",
            "Turn the {items} into vectors to {purpose}.",
            "Rank the {items} by semantic similarity so I can {purpose}.",
            "Get me embeddings of these {items}; the goal is to {purpose}.",
        ),
        _fills(
            "items purpose",
            ("product descriptions", "find near-duplicate listings"),
            ("FAQ entries", "match incoming questions to the closest answer"),
            ("paper abstracts", "group similar studies together"),
            ("support tickets", "spot recurring issues"),
            ("job postings", "recommend similar roles to candidates"),
        ),
        5,
    ),
    Recipe(
        "rank_by_similarity",
        (S("embed", "Rank the {items} by similarity to {query}"),),
        (
            "Which of these {items} is closest in meaning to {query}?",
            "Rank the {items} below by how well they match {query}.",
            "Find the {items} most similar to {query}.",
            "Sort these {items} by semantic similarity to {query}.",
            "Search the {items} I pasted for the ones that best match {query}.",
        ),
        _fills(
            "items query",
            ("FAQ entries", "the customer's question about refunds"),
            ("paper abstracts", "my abstract on graph neural networks"),
            ("product descriptions", "the phrase 'waterproof hiking boots'"),
            ("support articles", "the error message 'disk quota exceeded'"),
            ("job postings", "a junior data engineer's profile"),
        ),
        5,
    ),
    Recipe(
        "analyze_table",
        (S("analyze_table", "Compute {stat} from {file}"),),
        (
            "Compute {stat} in {file}.",
            "Analyse {file} and give me {stat}.",
            "Using {file}, work out {stat}.",
            "Crunch the numbers in {file}: I need {stat}.",
            "Load the spreadsheet {file} and calculate {stat}.",
        ),
        _fills(
            "file stat",
            ("sales.csv", "the monthly revenue totals and growth rates"),
            ("attendance.xlsx", "the average attendance per class"),
            ("tickets_2024.csv", "the median resolution time per team"),
            ("survey_results.csv", "the mean satisfaction score by age group"),
            ("energy_usage.csv", "the peak-hour consumption for each building"),
        ),
        5,
    ),
    Recipe(
        "render_chart",
        (S("render_chart", "Draw a {kind} chart of {what}"),),
        (
            "Plot {what} from the table below as a {kind} chart.",
            "Make a {kind} chart of {what}; the numbers are pasted below.",
            "Chart {what} for me from this table, as a {kind} chart.",
            "Visualise {what} in a {kind} chart using these figures.",
            "Draw a {kind} graph showing {what} from the numbers I gave you.",
        ),
        _fills(
            "kind what",
            ("line", "the weekly sign-ups"),
            ("bar", "revenue by region"),
            ("line", "daily temperatures for March"),
            ("bar", "the number of students per course"),
            ("bar", "bugs closed per sprint"),
        ),
        5,
    ),
    Recipe(
        "caption_image",
        (S("caption_image", "Describe the content of the {img} {file}"),),
        (
            "Describe this {img} ({file}).",
            "What is in the {img} {file}?",
            "Write a one-sentence caption for the attached {img}, {file}.",
            "Give me a caption for {file}, it's a {img}.",
            "Tell me what the {img} {file} shows.",
        ),
        _fills(
            "img file",
            ("photo", "holiday.jpg"),
            ("screenshot", "error_screen.png"),
            ("product image", "sneaker_front.png"),
            ("diagram", "cell_diagram.png"),
            ("scanned poster", "event_poster.jpg"),
        ),
        5,
    ),
    Recipe(
        "transcribe_audio",
        (S("transcribe_audio", "Transcribe the {rec} ({file})"),),
        (
            "Transcribe this {rec}, {file}.",
            "Can you turn the {rec} {file} into text?",
            "I need a written transcript of the {rec} ({file}).",
            "Type out what is said in {file}, the {rec}.",
            "Convert the {rec} in {file} to text, word for word.",
        ),
        _fills(
            "rec file",
            ("interview recording", "interview.mp3"),
            ("voice memo", "memo_0412.m4a"),
            ("podcast episode", "episode42.mp3"),
            ("lecture recording", "lecture3.wav"),
            ("customer call", "call_7731.wav"),
        ),
        5,
    ),
    Recipe(
        "extract_text",
        (S("extract_text", "Extract the text of the {doc} ({file})"),),
        (
            "Extract the text from {file}, the {doc}.",
            "Pull all the text out of this {doc} PDF ({file}).",
            "Get me the plain text of the {doc} in {file}.",
            "I want the raw text of {file} (the {doc}) so I can edit it.",
            "Convert the {doc} PDF {file} to plain text.",
        ),
        _fills(
            "doc file",
            ("research paper", "paper.pdf"),
            ("invoice", "invoice_0923.pdf"),
            ("thesis draft", "thesis_draft.pdf"),
            ("annual report", "annual_report.pdf"),
            ("user manual", "manual.pdf"),
        ),
        5,
    ),
    Recipe(
        "make_slides",
        (S("make_slides", "Lay out the points on {topic} as a slide deck"),),
        (
            "Turn these bullet points about {topic} into a slide deck.",
            "Make slides from my notes on {topic}.",
            "Put this outline on {topic} into a PowerPoint.",
            "Create a PPTX from the points below ({topic}).",
            "I have my talking points on {topic}; lay them out as slides.",
        ),
        _fills(
            "topic",
            ("our Q3 roadmap",),
            ("the water cycle",),
            ("onboarding for new support agents",),
            ("the customer survey results",),
            ("GDPR basics",),
        ),
        5,
    ),
    Recipe(
        "write_report",
        (S("write_report", "Write a markdown report on {topic} from the notes"),),
        (
            "Format these notes into a markdown report on {topic}.",
            "Write up a report on {topic} from the figures and text I've given you.",
            "Assemble a tidy report about {topic} out of these notes.",
            "Produce a markdown report file for {topic} using the points below.",
            "Make a formatted report of {topic} from my draft bullets.",
        ),
        _fills(
            "topic",
            ("last week's incident",),
            ("the pilot study",),
            ("the marketing campaign",),
            ("the school trip",),
            ("the server migration",),
        ),
        5,
    ),
)

_CHAIN = (
    Recipe(
        "paper_to_slides",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}'s main contributions and results", (0,)),
            S("make_slides", "Build a slide deck from the summary of the {doc}", (1,)),
        ),
        (
            "Generate a presentation from this {doc}.",
            "Make slides from the attached {doc}.",
            "Can you turn this {doc} into a slide deck?",
            "Create a PowerPoint presentation summarising the {doc}.",
            "Convert the {doc} into presentation slides.",
        ),
        _fills(
            "doc",
            ("research paper",),
            ("paper",),
            ("journal article",),
            ("conference paper",),
            ("preprint",),
            ("technical report",),
            ("PDF paper",),
            ("study",),
        ),
        15,
    ),
    Recipe(
        "paper_to_slides_for_audience",
        (
            S("extract_text", "Extract the text of {file}"),
            S("summarize", "Summarise the {focus} of {file}", (0,)),
            S("make_slides", "Build a slide deck for {aud} from the summary", (1,)),
        ),
        (
            "Turn {file} into a short deck for {aud}, focusing on the {focus}.",
            "I'm presenting {file} to {aud} tomorrow. Make slides that cover its {focus}.",
            "Read {file}, pull out the {focus}, and build a PPTX for {aud}.",
            "Slides for {aud} from {file} please, mainly the {focus}.",
            "Could you prepare a presentation on the {focus} in {file}? The audience is {aud}.",
        ),
        _fills(
            "file aud focus",
            ("paper.pdf", "my lab meeting", "method and results"),
            ("icml_submission.pdf", "the reading group", "contributions and experiments"),
            ("survey_llm_agents.pdf", "new PhD students", "taxonomy and open problems"),
            ("trial_results.pdf", "the hospital board", "design, outcomes and risks"),
            ("whitepaper.pdf", "the sales team", "main claims and evidence"),
            ("chapter3.pdf", "my supervisor", "argument and findings"),
            ("arxiv_2405.pdf", "journal club", "research question and key results"),
            ("market_report.pdf", "the leadership team", "key findings and recommendations"),
        ),
        15,
    ),
    Recipe(
        "pdf_to_summary",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc} as {form}", (0,)),
        ),
        (
            "Summarise the attached {doc} as {form}.",
            "Read this {doc} PDF and give me {form}.",
            "Can I get {form} for the {doc} I uploaded?",
            "I don't have time for the whole {doc} file; {form} will do.",
            "Pull the text out of the {doc} and condense it into {form}.",
        ),
        _fills(
            "doc form",
            ("annual report", "a few bullet points"),
            ("policy document", "one paragraph"),
            ("lease agreement", "plain-language bullet points"),
            ("research paper", "a 150-word abstract"),
            ("product manual", "a quick-start paragraph"),
            ("board minutes", "a list of the decisions taken"),
        ),
        10,
    ),
    Recipe(
        "pdf_question",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("answer_question", "Answer from the {doc}: {q}", (0,)),
        ),
        (
            "Check the attached {doc} and tell me {q}.",
            "From the uploaded {doc}, find out {q}.",
            "I need to know {q}; it should be in the {doc} PDF.",
            "Open the {doc} file and let me know {q}.",
            "Using the {doc} PDF, work out {q}.",
        ),
        _fills(
            "doc q",
            ("employee handbook", "how many vacation days new staff get"),
            ("research paper", "which dataset the authors evaluated on"),
            ("insurance policy", "whether water damage is covered"),
            ("tender document", "when the submission deadline is"),
            ("datasheet", "what the maximum operating temperature is"),
            ("grant call", "how much funding a single project can get"),
            ("syllabus", "how the final grade is weighted"),
            ("rental contract", "how much notice I need to give before moving out"),
        ),
        5,
    ),
    Recipe(
        "audio_to_summary",
        (
            S("transcribe_audio", "Transcribe the {rec}"),
            S("summarize", "Summarise the transcript {form}", (0,)),
        ),
        (
            "Transcribe this {rec} and summarise it {form}.",
            "Listen to the {rec} and give me a summary {form}.",
            "What was said in the {rec}? Summarise it {form}.",
            "Turn the {rec} into text, then boil it down {form}.",
            "I missed the {rec}; summarise it for me {form}.",
        ),
        _fills(
            "rec form",
            ("team meeting recording", "as action items"),
            ("customer interview", "in five bullet points"),
            ("lecture recording", "as revision notes"),
            ("podcast episode", "in a short paragraph"),
            ("voice memo", "in two sentences"),
            ("all-hands call", "for people who were not there"),
            ("earnings call", "for investors"),
            ("focus group session", "as key themes"),
        ),
        10,
    ),
    Recipe(
        "audio_to_translation",
        (
            S("transcribe_audio", "Transcribe the {rec}"),
            S("translate", "Translate the transcript into {lang}", (0,)),
        ),
        (
            "Transcribe the {rec} and translate it into {lang}.",
            "I need the {rec} as {lang} text.",
            "Translate what is said in the {rec} into {lang}, please.",
            "Convert the {rec} to text and put it in {lang}.",
            "Can you get me this {rec} transcribed and translated into {lang}?",
        ),
        _fills(
            "rec lang",
            ("Spanish voicemail", "English"),
            ("German product demo", "English"),
            ("English training video", "French"),
            ("Italian interview", "English"),
            ("Japanese customer call", "English"),
        ),
        5,
    ),
    Recipe(
        "image_to_text",
        (
            S("caption_image", "Describe the {img}"),
            S("generate_text", "Write {what} from the image description", (0,)),
        ),
        (
            "Look at this {img} and write {what}.",
            "Describe the {img}, then use that to draft {what}.",
            "Write {what} based on the attached {img}.",
            "I've attached the {img}. Can you turn it into {what}?",
            "Caption the {img} and write {what} from it.",
        ),
        _fills(
            "img what",
            ("product photo", "a marketplace listing"),
            ("holiday photo", "an Instagram post"),
            ("photo of our new office", "a short announcement for the company newsletter"),
            ("infographic", "a tweet"),
            ("picture of a dish", "a menu description"),
            ("photo of the damaged parcel", "a complaint email to the courier"),
            ("science fair poster photo", "a short paragraph for the school blog"),
            ("real-estate photo", "a property listing blurb"),
        ),
        5,
    ),
    Recipe(
        "table_to_chart",
        (
            S("analyze_table", "Compute {what} from the table"),
            S("render_chart", "Draw a chart of {what}", (0,)),
        ),
        (
            "Analyse this CSV and chart {what}.",
            "Plot {what} using the data in {file}.",
            "Load {file}, work out {what}, and give me a chart.",
            "I'd like a graph of {what}; the data is in {file}.",
            "Visualise {what} from {file}.",
        ),
        _fills(
            "what file",
            ("the monthly revenue trend", "sales.csv"),
            ("website visits per week", "traffic.csv"),
            ("average exam scores per subject", "grades.xlsx"),
            ("ticket volume by category", "support_tickets.csv"),
            ("CO2 emissions per year", "emissions.csv"),
            ("headcount by department", "hr_export.csv"),
            ("daily active users over the last quarter", "dau.csv"),
            ("rainfall per month", "weather_2023.csv"),
        ),
        10,
    ),
    Recipe(
        "table_to_report",
        (
            S("analyze_table", "Compute the statistics on {topic} from {file}"),
            S("write_report", "Write a markdown report on {topic} from the analysis", (0,)),
        ),
        (
            "Analyse {file} and write a short report on {topic}.",
            "Write up a report on {topic} based on {file}.",
            "Crunch {file} and give me a markdown report about {topic}.",
            "Produce a report on {topic}; the numbers are in {file}.",
            "Go through {file} and describe {topic} in a formatted report.",
        ),
        _fills(
            "file topic",
            ("q2_sales.csv", "Q2 sales performance"),
            ("survey.csv", "employee satisfaction"),
            ("inventory.xlsx", "stock levels"),
            ("churn.csv", "customer churn"),
            ("lab_measurements.csv", "the calibration results"),
            ("budget.csv", "spending against budget"),
        ),
        5,
    ),
    Recipe(
        "translate_then_summarize",
        (
            S("translate", "Translate the {thing} into {lang}"),
            S("summarize", "Summarise the translated {thing}", (0,)),
        ),
        (
            "Translate this {thing} into {lang} and then summarise it.",
            "I can't read the {thing} below; put it in {lang} and give me the short version.",
            "First translate the pasted {thing} to {lang}, then summarise the main points.",
            "Translate the following {thing} into {lang}, and add a brief summary of the translation.",
            "The {thing} is pasted below: translate it to {lang}, then condense it to a few lines.",
        ),
        _fills(
            "thing lang",
            ("French news article", "English"),
            ("German customer complaint", "English"),
            ("Spanish research abstract", "English"),
            ("Chinese product review", "English"),
            ("English contract clause", "Polish"),
            ("Dutch set of meeting notes", "English"),
        ),
        5,
    ),
    Recipe(
        "summarize_then_translate",
        (
            S("summarize", "Summarise the {thing}"),
            S("translate", "Translate the summary into {lang}", (0,)),
        ),
        (
            "Summarise this {thing} and translate the summary into {lang}.",
            "Boil the {thing} below down to a few lines, then put that summary in {lang}.",
            "I need a summary of this {thing}, translated into {lang}.",
            "Condense the following {thing} and translate the result into {lang} for our partners.",
            "A summary of the pasted {thing}, translated to {lang}, please.",
        ),
        _fills(
            "thing lang",
            ("quarterly update", "German"),
            ("product spec", "Japanese"),
            ("safety briefing", "Spanish"),
            ("newsletter", "French"),
            ("project status report", "Italian"),
            ("letter to parents", "Arabic"),
        ),
        5,
    ),
    Recipe(
        "pdf_translate_summarize",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("translate", "Translate the {doc} into {lang}", (0,)),
            S("summarize", "Summarise the translated {doc}", (1,)),
        ),
        (
            "Translate the attached {doc} into {lang} and summarise it.",
            "This {doc} PDF isn't in {lang}. Translate it, then give me a summary.",
            "Extract the {doc}'s text, translate it to {lang}, then summarise.",
            "Translate the {doc} file into {lang} for me, and add a short summary of that translation.",
            "Read the {doc} (PDF), put it into {lang}, and summarise the translated text.",
        ),
        _fills(
            "doc lang",
            ("Italian supplier contract", "English"),
            ("German tender notice", "English"),
            ("French government report", "English"),
            ("Spanish patient leaflet", "English"),
        ),
        5,
    ),
    Recipe(
        "audio_to_slides",
        (
            S("transcribe_audio", "Transcribe the {rec}"),
            S("summarize", "Summarise the key points of the {rec}", (0,)),
            S("make_slides", "Build a slide deck for {aud} from the summary", (1,)),
        ),
        (
            "Turn this {rec} into a slide deck for {aud}.",
            "Transcribe the {rec}, summarise it and make slides for {aud}.",
            "Make a presentation for {aud} out of the {rec}.",
            "I have a {rec}; can you build slides for {aud} from it?",
            "From the {rec}, produce summary slides that {aud} can skim.",
        ),
        _fills(
            "rec aud",
            ("guest lecture recording", "students who missed class"),
            ("product strategy meeting recording", "the board"),
            ("webinar recording", "the sales team"),
            ("training session recording", "new hires"),
            ("keynote recording", "our partners"),
        ),
        5,
    ),
    Recipe(
        "pdf_classify",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("classify", "Classify the {doc} as {labels}", (0,)),
        ),
        (
            "Classify the attached {doc} as {labels}.",
            "Read this {doc} PDF and tell me if it is {labels}.",
            "Which of these is the uploaded {doc}: {labels}?",
            "Sort the {doc} file into one of these: {labels}.",
            "Extract the {doc}'s text and label it {labels}.",
        ),
        _fills(
            "doc labels",
            ("contract", "an NDA, an employment contract or a service agreement"),
            ("scanned letter", "an invoice, a payment reminder or a complaint"),
            ("paper", "machine learning, biology or physics"),
            ("CV", "junior, mid-level or senior"),
            ("incident report", "low, medium or high severity"),
        ),
        5,
    ),
    Recipe(
        "pdf_to_report",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}'s findings", (0,)),
            S("write_report", "Write a markdown report from the summary of the {doc}", (1,)),
        ),
        (
            "Summarise the attached {doc} into a formatted markdown report.",
            "Read the {doc} PDF and write a short report of its findings.",
            "I need a report file summarising this {doc}.",
            "Make a markdown brief out of the {doc}, key points first.",
            "Turn the {doc} into a one-page write-up for the team.",
        ),
        _fills(
            "doc",
            ("audit document",),
            ("literature review",),
            ("competitor analysis",),
            ("safety inspection report",),
        ),
        5,
    ),
    Recipe(
        "call_classify",
        (
            S("transcribe_audio", "Transcribe the {rec}"),
            S("classify", "Classify the {rec} as {labels}", (0,)),
        ),
        (
            "Transcribe this {rec} and classify it as {labels}.",
            "Listen to the {rec} and tell me whether it is {labels}.",
            "Tag the {rec} as {labels} based on what's said.",
            "Which is it, {labels}? Here's the {rec}.",
            "Convert the {rec} to text, then label it {labels}.",
        ),
        _fills(
            "rec labels",
            ("support call", "a billing, technical or cancellation request"),
            ("voicemail", "urgent or not urgent"),
            ("sales call", "a qualified or unqualified lead"),
            ("patient call", "a prescription, appointment or test results query"),
        ),
        5,
    ),
    Recipe(
        "audio_question",
        (
            S("transcribe_audio", "Transcribe the {rec}"),
            S("answer_question", "Answer from the transcript: {q}", (0,)),
        ),
        (
            "Listen to the {rec} and tell me {q}.",
            "Transcribe the {rec}; I need to know {q}.",
            "From the {rec}, work out {q}.",
            "Can you find out {q} from the {rec}?",
            "Check the {rec} to see {q}.",
        ),
        _fills(
            "rec q",
            ("board meeting recording", "what budget was approved for marketing"),
            ("lecture recording", "when the assignment is due"),
            ("customer call", "which order number the caller mentioned"),
            ("interview recording", "where the candidate worked before"),
        ),
        5,
    ),
    Recipe(
        "pdf_summary_translated",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}", (0,)),
            S("translate", "Translate the summary into {lang}", (1,)),
        ),
        (
            "Summarise the attached {doc} in {lang}.",
            "Give me a {lang} summary of this {doc} PDF.",
            "Read the {doc}, summarise it, and translate the summary into {lang}.",
            "Our {lang}-speaking partners need a short version of the {doc} file.",
            "Condense the uploaded {doc} and translate the result to {lang}.",
        ),
        _fills(
            "doc lang",
            ("annual report", "German"),
            ("research paper", "Spanish"),
            ("user manual", "French"),
            ("board paper", "Portuguese"),
        ),
        5,
    ),
    Recipe(
        "summary_to_message",
        (
            S("summarize", "Summarise the {thing}"),
            S("generate_text", "Write {what} from the summary", (0,)),
        ),
        (
            "Summarise the {thing} below and draft {what} based on it.",
            "Read this {thing}, sum it up, then write {what}.",
            "Use a short summary of the pasted {thing} to write {what}.",
            "First condense the {thing}, then turn the summary into {what}.",
            "Write {what} from the key points of this {thing}.",
        ),
        _fills(
            "thing what",
            ("project update", "an email to the client"),
            ("set of meeting notes", "a Slack message for the team"),
            ("customer feedback", "a reply thanking the customer"),
            ("policy change", "a newsletter paragraph for staff"),
        ),
        5,
    ),
    Recipe(
        "table_commentary",
        (
            S("analyze_table", "Compute the key statistics and trends in {file}"),
            S("generate_text", "Write {what} from the analysis", (0,)),
        ),
        (
            "Analyse {file} and write {what}.",
            "Look at the numbers in {file} and draft {what}.",
            "Write {what} based on an analysis of {file}.",
            "Crunch {file}, then turn the findings into {what}.",
            "Using {file}, work out the trends and write {what}.",
        ),
        _fills(
            "file what",
            ("sales_q3.csv", "a short email to the regional managers"),
            ("nps.csv", "a paragraph for the newsletter"),
            ("grades.csv", "feedback comments for the class"),
            ("website_metrics.csv", "a LinkedIn post about our growth"),
        ),
        5,
    ),
    Recipe(
        "pdf_index",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("embed", "Embed the {doc}'s passages to {purpose}", (0,)),
        ),
        (
            "Extract the text of the {doc} and embed it so I can {purpose}.",
            "Index this {doc} PDF for semantic search; I want to {purpose}.",
            "Make the {doc} searchable by meaning so I can {purpose}.",
            "Embed the passages of the attached {doc} to {purpose}.",
            "Build embeddings for the {doc} file so we can {purpose}.",
        ),
        _fills(
            "doc purpose",
            ("product manual", "look up troubleshooting steps quickly"),
            ("policy handbook", "find the relevant rule for any question"),
            ("textbook chapter", "find paragraphs related to each exam topic"),
            ("legal contract", "locate similar clauses across drafts"),
        ),
        5,
    ),
    Recipe(
        "pdf_search_answer",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("embed", "Rank the {doc}'s passages by similarity to the question", (0,)),
            S("answer_question", "Answer from the top passages: {q}", (1,)),
        ),
        (
            "Find the passages in the {doc} that explain {q} and answer from them.",
            "Use semantic search over this {doc} PDF to find out {q}.",
            "The {doc} is long: retrieve the most relevant sections and tell me {q}.",
            "Embed the {doc}, rank its passages against my question, and tell me {q}.",
            "Look up {q} in the {doc}; find the relevant passages first.",
        ),
        _fills(
            "doc q",
            ("200-page user manual", "how to reset the device to factory settings"),
            ("employee handbook", "what the parental leave policy is"),
            ("building code", "the minimum stair width"),
            ("economics textbook", "how the author defines opportunity cost"),
            ("API documentation", "how pagination works"),
        ),
        5,
    ),
    Recipe(
        "translate_then_answer",
        (
            S("translate", "Translate the {thing} into {lang}"),
            S("answer_question", "From the translation, answer {q}", (0,)),
        ),
        (
            "Translate this {thing} into {lang} and then tell me {q}.",
            "I can't read the {thing} below; put it in {lang} and find out {q}.",
            "Translate the pasted {thing} to {lang} first, then work out {q}.",
            "Get the {thing} into {lang} so you can tell me {q}.",
            "The {thing} is pasted below. Translate it to {lang} and let me know {q}.",
        ),
        _fills(
            "thing lang q",
            ("Japanese instruction leaflet", "English", "how much detergent to use"),
            ("Greek rental notice", "English", "when the rent increase starts"),
            ("Finnish school letter", "English", "what my child needs to bring on Friday"),
        ),
        5,
    ),
    Recipe(
        "caption_translated",
        (
            S("caption_image", "Describe the {img}"),
            S("translate", "Translate the caption into {lang}", (0,)),
        ),
        (
            "Caption this {img} and translate the caption into {lang}.",
            "Describe the {img} in {lang}.",
            "Write a caption for the {img} and give me the {lang} version too.",
            "I need a {lang} description of this {img}.",
            "Describe what's in the {img}, then put it in {lang}.",
        ),
        _fills(
            "img lang",
            ("museum photo", "French"),
            ("product image", "German"),
            ("event photo", "Spanish"),
        ),
        5,
    ),
    Recipe(
        "pdf_to_draft",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("generate_text", "Write {what} from the {doc}", (0,)),
        ),
        (
            "Using the attached {doc}, write {what}.",
            "Read this {doc} PDF and draft {what}.",
            "Draft {what} based on the {doc} I uploaded.",
            "Pull the text from the {doc} and write {what}.",
            "Here's my {doc} as a PDF. Write {what} from it.",
        ),
        _fills(
            "doc what",
            ("CV", "a cover letter for a product manager role"),
            ("job description", "five interview questions"),
            ("research paper", "a plain-language blog post"),
            ("meeting agenda", "an invitation email to attendees"),
        ),
        5,
    ),
    Recipe(
        "text_to_slides",
        (
            S("summarize", "Summarise the {thing} into key points"),
            S("make_slides", "Build a slide deck from the key points", (0,)),
        ),
        (
            "Summarise the {thing} below and turn it into slides.",
            "Make a short deck from this pasted {thing}: key points only.",
            "Condense the following {thing} into a few slides.",
            "Here's a long {thing}; give me a presentation of its main points.",
            "Boil this {thing} down and lay it out as a PPTX.",
        ),
        _fills(
            "thing",
            ("project proposal",),
            ("article on climate policy",),
            ("strategy memo",),
        ),
        5,
    ),
    Recipe(
        "meeting_minutes",
        (
            S("transcribe_audio", "Transcribe the {rec}"),
            S("summarize", "Summarise the discussion and decisions", (0,)),
            S("write_report", "Write the minutes of the {rec} as a markdown report", (1,)),
        ),
        (
            "Transcribe the {rec}, summarise it, and write formal minutes as a markdown report.",
            "Turn this {rec} into a minutes report.",
            "From the {rec}, produce a report with the summary and decisions.",
            "I need a written report of the {rec}: transcript summarised and formatted.",
            "Make a markdown report summarising the {rec}.",
        ),
        _fills(
            "rec",
            ("board meeting recording",),
            ("project kickoff call",),
            ("parent-teacher evening recording",),
        ),
        5,
    ),
    Recipe(
        "pdf_to_translated_slides",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}'s key points", (0,)),
            S("translate", "Translate the summary into {lang}", (1,)),
            S("make_slides", "Build a {lang} slide deck from the translated summary", (2,)),
        ),
        (
            "Make a {lang} slide deck from this English {doc}.",
            "Summarise the attached {doc}, translate the summary into {lang}, and build slides from it.",
            "Our {lang} office needs a presentation on this {doc}.",
            "Create {lang}-language slides covering the key points of the {doc}.",
            "Read the {doc}, condense it, put it in {lang}, and turn it into a PPTX.",
        ),
        _fills(
            "doc lang",
            ("research paper", "Spanish"),
            ("product roadmap", "German"),
            ("training manual", "French"),
        ),
        5,
    ),
)

_DAG = (
    Recipe(
        "paper_summary_and_answer_to_slides",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}'s main contributions and results", (0,)),
            S("answer_question", "Answer from the {doc}: {q}", (0,)),
            S("make_slides", "Build a slide deck from the summary, with a slide on {q}", (1, 2)),
        ),
        (
            "Generate a presentation from this {doc} and include a slide answering {q}.",
            "Make slides from the attached {doc}: summarise it, and add a slide on {q}.",
            "Turn the {doc} into a deck. Besides the summary, I want a slide that explains {q}.",
            "Read the {doc}, work out {q}, and build a presentation covering that and the main results.",
            "Create a PowerPoint on this {doc} with a summary plus an answer to {q}.",
        ),
        _fills(
            "doc q",
            ("research paper", "what the main limitations are"),
            ("paper", "how the method differs from prior work"),
            ("conference paper", "which datasets were used"),
            ("preprint", "what the authors recommend for practitioners"),
            ("study", "whether the results are statistically significant"),
            ("journal article", "what future work the authors propose"),
            ("clinical paper", "which patients were excluded"),
            ("technical report", "how much compute the experiments needed"),
        ),
        15,
    ),
    Recipe(
        "table_chart_report",
        (
            S("analyze_table", "Compute {what} from {file}"),
            S("render_chart", "Draw a chart of {what}", (0,)),
            S(
                "write_report",
                "Write a markdown report on {what} with the chart and key numbers",
                (0, 1),
            ),
        ),
        (
            "Analyse {file}, chart {what}, and write it up as a report.",
            "I need a report on {what} from {file}, with a chart.",
            "Load {file}, work out {what}, plot it, and put the numbers and the chart in a markdown report.",
            "Make me a short report with a graph showing {what} (data: {file}).",
            "Go through {file} and produce a report on {what}, including a chart.",
        ),
        _fills(
            "file what",
            ("sales.csv", "the monthly revenue trend"),
            ("signups.csv", "weekly sign-ups by channel"),
            ("energy.csv", "electricity use per building"),
            ("exam_results.csv", "pass rates by subject"),
            ("support.csv", "the ticket backlog over time"),
            ("survey.csv", "satisfaction by region"),
            ("ad_spend.csv", "cost per acquisition by campaign"),
            ("temperatures.csv", "the average temperature per month"),
            ("inventory.csv", "stock turnover by product line"),
            ("fleet.csv", "fuel consumption per vehicle"),
        ),
        15,
    ),
    Recipe(
        "csv_trend_chart_report",
        (
            S("analyze_table", "Compute the {metric} trend from the CSV"),
            S("render_chart", "Draw a line chart of the {metric} trend", (0,)),
            S(
                "write_report",
                "Write a markdown report on the {metric} trend with the chart",
                (0, 1),
            ),
        ),
        (
            "Analyse this CSV and chart the {metric} trend, then write a report.",
            "Here's a CSV of {metric}. Find the trend, plot it, and give me a report.",
            "Report on how {metric} has changed, with a chart; the data is in the attached CSV.",
            "Turn this spreadsheet of {metric} into a markdown report with a trend chart.",
            "What's the {metric} trend in this CSV? Chart it and write it up.",
        ),
        _fills(
            "metric",
            ("monthly churn",),
            ("weekly orders",),
            ("yearly rainfall",),
            ("daily page views",),
            ("quarterly profit",),
        ),
        5,
    ),
    Recipe(
        "table_chart_slides",
        (
            S("analyze_table", "Compute {what} from {file}"),
            S("render_chart", "Draw a chart of {what}", (0,)),
            S("make_slides", "Build slides presenting {what} with the chart and findings", (0, 1)),
        ),
        (
            "Analyse {file} and make slides with a chart of {what}.",
            "Build a presentation on {what} from {file}, with a chart and the key numbers.",
            "Make a short deck showing {what}; the data is in {file}.",
            "Chart {what} from {file} and put the chart plus the findings into slides.",
            "I'd like a PowerPoint on {what} using {file}, including a graph.",
        ),
        _fills(
            "file what",
            ("q3_sales.csv", "regional sales growth"),
            ("users.csv", "user growth since launch"),
            ("costs.xlsx", "cloud costs per month"),
            ("results.csv", "model accuracy per epoch"),
            ("enrolment.csv", "enrolment by faculty"),
            ("donations.csv", "donations by quarter"),
        ),
        10,
    ),
    Recipe(
        "paper_with_figures_to_slides",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("caption_image", "Caption the {doc}'s figure images"),
            S("summarize", "Summarise the {doc}'s key points", (0,)),
            S(
                "make_slides",
                "Build a slide deck from the summary with the captioned figures",
                (1, 2),
            ),
        ),
        (
            "Make slides from this {doc} and include its figures with captions.",
            "Turn the {doc} and the attached figure images into a presentation, describing each figure.",
            "Build a deck from the {doc}; I've attached its key figures, so caption them on the slides.",
            "Summarise the {doc} into slides, and describe the figure images I've uploaded alongside.",
            "Create a presentation of the {doc} that uses the attached diagrams, with a caption for each.",
        ),
        _fills(
            "doc",
            ("research paper",),
            ("paper",),
            ("conference paper",),
            ("lab report",),
            ("thesis chapter",),
            ("preprint",),
        ),
        10,
    ),
    Recipe(
        "transcript_summary_and_draft",
        (
            S("transcribe_audio", "Transcribe the {rec}"),
            S("summarize", "Summarise the {rec}", (0,)),
            S("generate_text", "Write {what} from the transcript", (0,)),
        ),
        (
            "Transcribe the {rec}, summarise it, and also write {what} from it.",
            "From this {rec}, I need a summary and {what}.",
            "Listen to the {rec}: give me a short summary, then separately draft {what}.",
            "Turn the {rec} into text; then produce both a summary and {what}.",
            "Can you summarise the {rec} and write {what}?",
        ),
        _fills(
            "rec what",
            ("team meeting recording", "a follow-up email with action items"),
            ("lecture recording", "ten quiz questions"),
            ("podcast episode", "show notes with timestamps"),
            ("customer interview", "a list of feature requests"),
            ("sales call", "a follow-up email to the prospect"),
            ("webinar recording", "a LinkedIn post"),
        ),
        10,
    ),
    Recipe(
        "pdf_summary_and_translation",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}", (0,)),
            S("translate", "Translate the full {doc} into {lang}", (0,)),
        ),
        (
            "Summarise the attached {doc} and translate the full text into {lang}.",
            "I need two things from this {doc} PDF: a summary, and a complete {lang} translation.",
            "Translate the whole {doc} into {lang}, and separately give me a summary of the original.",
            "Give me a short summary of the {doc} plus a full {lang} translation.",
            "Extract the {doc}'s text, then both summarise it and translate it into {lang}.",
        ),
        _fills(
            "doc lang",
            ("contract", "French"),
            ("instruction manual", "Spanish"),
            ("grant proposal", "German"),
            ("press kit", "Italian"),
            ("safety data sheet", "Polish"),
        ),
        5,
    ),
    Recipe(
        "translate_summarize_answer",
        (
            S("translate", "Translate the {thing} into {lang}"),
            S("summarize", "Summarise the translated {thing}", (0,)),
            S("answer_question", "From the translation, answer {q}", (0,)),
        ),
        (
            "Translate this {thing} into {lang}, summarise it, then tell me {q}.",
            "Put the {thing} below into {lang}; I also want a short summary and to know {q}.",
            "Translate the pasted {thing} into {lang}, give me the gist, and find out {q}.",
            "I can't read this {thing}. Translate it to {lang}, sum it up, and tell me {q}.",
            "After translating the {thing} into {lang}, summarise it and check {q}.",
        ),
        _fills(
            "thing lang q",
            ("Spanish article", "English", "who the main sources are"),
            ("German email thread", "English", "what deadline was agreed"),
            ("French lease", "English", "whether pets are allowed"),
            ("Portuguese review", "English", "what the customer disliked most"),
            ("Korean product manual", "English", "how long the battery lasts"),
            ("English notice", "Ukrainian", "when the office reopens"),
        ),
        10,
    ),
    Recipe(
        "pdf_translate_summarize_answer",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("translate", "Translate the {doc} into {lang}", (0,)),
            S("summarize", "Summarise the translated {doc}", (1,)),
            S("answer_question", "From the translated {doc}, answer {q}", (1,)),
        ),
        (
            "Translate the attached {doc} into {lang}, summarise it, and tell me {q}.",
            "This {doc} is in a language I don't read: translate it to {lang}, give me a summary, and find out {q}.",
            "Extract the {doc}, translate it into {lang}, then summarise it and work out {q}.",
            "I need the {doc} file in {lang}, a short summary of it, and to know {q}.",
            "I only read {lang}: translate the {doc} PDF, summarise it, and check {q}.",
        ),
        _fills(
            "doc lang q",
            ("Italian tender document", "English", "when the bids are due"),
            ("German rental contract", "English", "how long the notice period is"),
            ("French research paper", "English", "which dataset the authors used"),
            ("Spanish medical leaflet", "English", "what the maximum daily dose is"),
            ("Dutch insurance policy", "English", "whether bicycles are covered"),
        ),
        5,
    ),
    Recipe(
        "compare_two_documents",
        (
            S("extract_text", "Extract the text of {a}"),
            S("extract_text", "Extract the text of {b}"),
            S("generate_text", "Using both documents, write {what}", (0, 1)),
        ),
        (
            "Compare {a} and {b} and write {what}.",
            "Here are two PDFs, {a} and {b}. Draft {what}.",
            "Read both {a} and {b}, then write {what}.",
            "Extract the text of {a} and {b} and use them to write {what}.",
            "Using {a} and {b}, put together {what}.",
        ),
        _fills(
            "a b what",
            ("contract_v1.pdf", "contract_v2.pdf", "a list of the clauses that changed"),
            ("cv_anna.pdf", "cv_ben.pdf", "a comparison of the two candidates"),
            ("policy_2023.pdf", "policy_2024.pdf", "a note explaining what's new"),
            ("quote_a.pdf", "quote_b.pdf", "a recommendation on which supplier to choose"),
            ("paper_a.pdf", "paper_b.pdf", "a paragraph contrasting their methods"),
        ),
        5,
    ),
    Recipe(
        "two_documents_similarity",
        (
            S("extract_text", "Extract the text of {a}"),
            S("extract_text", "Extract the text of {b}"),
            S("embed", "Embed both texts to find out {goal}", (0, 1)),
        ),
        (
            "Embed {a} and {b} and tell me {goal}.",
            "How semantically close are {a} and {b}? I want to know {goal}.",
            "Use embeddings on the text of {a} and {b} to check {goal}.",
            "Compare {a} and {b} by meaning to see {goal}.",
            "Extract both {a} and {b} and use sentence embeddings to find out {goal}.",
        ),
        _fills(
            "a b goal",
            ("essay_1.pdf", "essay_2.pdf", "whether they are suspiciously similar"),
            ("draft.pdf", "published.pdf", "which sections changed the most"),
            ("job_ad.pdf", "resume.pdf", "how well the resume matches the job ad"),
            ("proposal_a.pdf", "proposal_b.pdf", "whether the two proposals overlap"),
        ),
        5,
    ),
    Recipe(
        "paper_slides_and_companion_text",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}'s key points", (0,)),
            S("make_slides", "Build a slide deck from the summary", (1,)),
            S("generate_text", "Write {what} from the summary", (1,)),
        ),
        (
            "Make slides from this {doc} and also write {what}.",
            "Summarise the {doc}, build a deck from the summary, and draft {what} too.",
            "I need a presentation of the {doc} and {what}, both based on its key points.",
            "Turn the {doc} into slides plus {what}.",
            "From the attached {doc}, create a slide deck and {what}.",
        ),
        _fills(
            "doc what",
            ("research paper", "a speaker script"),
            ("paper", "an email inviting people to the talk"),
            ("conference paper", "a tweet thread announcing it"),
            ("journal article", "a one-paragraph abstract for the programme"),
            ("case study", "a handout for attendees"),
        ),
        10,
    ),
    Recipe(
        "paper_slides_and_report",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}'s main points", (0,)),
            S("make_slides", "Build a slide deck from the summary", (1,)),
            S("write_report", "Write a markdown report from the summary", (1,)),
        ),
        (
            "Create both a slide deck and a markdown report from this {doc}.",
            "Summarise the {doc} into slides for the talk and a written report for the archive.",
            "I need a presentation and a report on the attached {doc}.",
            "From the {doc}, make a PPTX and a report file covering its main points.",
            "Turn the {doc} into slides, and write it up as a report too.",
        ),
        _fills(
            "doc",
            ("research paper",),
            ("project evaluation",),
            ("feasibility study",),
            ("audit findings PDF",),
        ),
        5,
    ),
    Recipe(
        "table_chart_and_email",
        (
            S("analyze_table", "Compute {what} from {file}"),
            S("render_chart", "Draw a chart of {what}", (0,)),
            S("generate_text", "Write a message to {who} about the findings", (0,)),
        ),
        (
            "Analyse {file}, chart {what}, and draft an email to {who} about the findings.",
            "Plot {what} from {file} and write a short note for {who} explaining the numbers.",
            "Chart {what} using {file}; also write {who} a quick email with the numbers.",
            "I need a chart of {what} from {file} and an email to {who} with the highlights.",
            "Work out {what} from {file}, graph it, and draft a message to {who}.",
        ),
        _fills(
            "file what who",
            ("sales.csv", "the revenue trend", "the sales director"),
            ("attendance.csv", "attendance per week", "the parents"),
            ("latency.csv", "p95 latency per service", "the on-call team"),
            ("donations.csv", "donations by month", "the trustees"),
        ),
        5,
    ),
    Recipe(
        "call_triage",
        (
            S("transcribe_audio", "Transcribe the {rec}"),
            S("classify", "Classify the {rec} as {labels}", (0,)),
            S("summarize", "Summarise the caller's issue", (0,)),
            S("generate_text", "Write {what} that fits the category and the summary", (1, 2)),
        ),
        (
            "Transcribe the {rec}, classify it as {labels}, summarise it, and draft {what}.",
            "For this {rec}: tag it ({labels}), write a short summary, and draft {what} that fits.",
            "Listen to the {rec}, work out whether it's {labels}, summarise the issue and write {what}.",
            "Triage the {rec}: category ({labels}), summary, then {what}.",
            "Turn the {rec} into text, label it {labels}, summarise it, and use both to draft {what}.",
        ),
        _fills(
            "rec labels what",
            ("support call", "billing, technical or cancellation", "a reply to the customer"),
            ("voicemail", "urgent or routine", "a callback note for the duty manager"),
            (
                "patient call",
                "appointment, prescription or results",
                "a message for the practice nurse",
            ),
            ("complaint call", "product, delivery or service", "a response email"),
            ("sales enquiry call", "hot, warm or cold lead", "a follow-up email"),
        ),
        5,
    ),
    Recipe(
        "document_review",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}", (0,)),
            S("classify", "Classify the {doc} as {labels}", (0,)),
            S("generate_text", "Write {what} from the summary and the verdict", (1, 2)),
        ),
        (
            "Summarise the attached {doc}, classify it as {labels}, and draft {what}.",
            "Read this {doc}: give it a label ({labels}), sum it up, and write {what}.",
            "I need a summary of the {doc}, a verdict ({labels}) and {what}.",
            "Triage the {doc} PDF as {labels}, summarise it, then use both to write {what}.",
            "Classify the {doc} ({labels}), summarise it, and write {what} based on that.",
        ),
        _fills(
            "doc labels what",
            (
                "paper submission",
                "accept, minor revision or reject",
                "a short review for the authors",
            ),
            ("grant application", "fund or do not fund", "feedback for the applicant"),
            ("job application", "interview or reject", "a reply to the candidate"),
            ("bug report", "critical, major or minor", "a status update for the reporter"),
        ),
        5,
    ),
    Recipe(
        "two_recordings_summary",
        (
            S("transcribe_audio", "Transcribe {a}"),
            S("transcribe_audio", "Transcribe {b}"),
            S("summarize", "Summarise both transcripts together", (0, 1)),
        ),
        (
            "Transcribe {a} and {b} and write one combined summary.",
            "Summarise these two recordings together: {a} and {b}.",
            "I have {a} and {b}; give me a joint summary of what was said in both.",
            "Turn {a} and {b} into text and summarise the common themes.",
            "What do {a} and {b} have in common? Transcribe both and summarise.",
        ),
        _fills(
            "a b",
            ("interview_1.mp3", "interview_2.mp3"),
            ("standup_mon.m4a", "standup_tue.m4a"),
            ("focus_group_a.wav", "focus_group_b.wav"),
            ("lecture_part1.mp3", "lecture_part2.mp3"),
        ),
        5,
    ),
    Recipe(
        "image_text_and_label",
        (
            S("caption_image", "Describe the {img}"),
            S("generate_text", "Write {what} from the description", (0,)),
            S("classify", "Classify the {img} as {labels}", (0,)),
        ),
        (
            "Describe this {img}, write {what}, and tag it as {labels}.",
            "For the attached {img}: write {what} and classify it ({labels}).",
            "Caption the {img}, then draft {what} and pick a category from {labels}.",
            "Look at the {img}; I need {what} and a label ({labels}).",
            "Describe the {img}, classify it as {labels}, and use the description to write {what}.",
        ),
        _fills(
            "img what labels",
            ("product photo", "a shop listing", "clothing, shoes or accessories"),
            ("user-uploaded photo", "a short caption for the feed", "safe or needs review"),
            ("photo of the room", "a holiday-let description", "bedroom, kitchen or living room"),
            ("event photo", "a newsletter blurb", "indoor or outdoor"),
            ("photo of a houseplant", "a care tip", "healthy or diseased"),
        ),
        5,
    ),
    Recipe(
        "images_to_slides",
        (
            S("caption_image", "Caption each of the {imgs}"),
            S("generate_text", "Write talking points about the {imgs} for {aud}", (0,)),
            S(
                "make_slides",
                "Build a slide deck for {aud} with each image, its caption and the talking points",
                (0, 1),
            ),
        ),
        (
            "Describe these {imgs} and build a short slide deck about them for {aud}, with a caption on each.",
            "Make a presentation for {aud} from the {imgs}: caption each one and write some talking points.",
            "Caption the {imgs}, write a short narrative, and put it all into slides for {aud}.",
            "I have some {imgs}; turn them into a captioned slide deck with notes for {aud}.",
            "Create slides for {aud} showcasing the {imgs}, with a caption and talking points for each.",
        ),
        _fills(
            "imgs aud",
            ("product photos", "investors"),
            ("site visit photos", "the project board"),
            ("field trip photos", "parents"),
            ("prototype photos", "the design team"),
        ),
        5,
    ),
    Recipe(
        "summary_in_two_languages",
        (
            S("summarize", "Summarise the {thing}"),
            S("translate", "Translate the summary into {l1}", (0,)),
            S("translate", "Translate the summary into {l2}", (0,)),
        ),
        (
            "Summarise this {thing} and translate the summary into {l1} and {l2}.",
            "I need a short version of the {thing} below in both {l1} and {l2}.",
            "Condense the pasted {thing}, then give me {l1} and {l2} translations of the summary.",
            "Sum up the {thing} for our {l1} and {l2} offices, in their languages.",
            "Write a summary of this {thing}, and translate it into {l1} and also into {l2}.",
        ),
        _fills(
            "thing l1 l2",
            ("product announcement", "French", "German"),
            ("safety notice", "Spanish", "Portuguese"),
            ("company update", "Japanese", "Korean"),
            ("school newsletter", "Arabic", "Polish"),
        ),
        5,
    ),
    Recipe(
        "document_and_data_report",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}'s key points", (0,)),
            S("analyze_table", "Compute {what} from {file}"),
            S("render_chart", "Draw a chart of {what}", (2,)),
            S(
                "write_report",
                "Write a markdown report combining the {doc} summary, the analysis and the chart",
                (1, 2, 3),
            ),
        ),
        (
            "Write a report that combines the {doc} with the numbers in {file}, including a chart of {what}.",
            "Summarise the attached {doc}, analyse {file}, chart {what}, and put everything into a markdown report.",
            "I need one report: key points of the {doc} plus an analysis of {file} with a chart showing {what}.",
            "Combine the {doc} PDF and {file} into a report, with a chart of {what}.",
            "Read the {doc}, crunch {file}, graph {what}, and write it all up as a report.",
        ),
        _fills(
            "doc file what",
            ("project proposal", "budget.csv", "spend per month"),
            ("market study", "sales.csv", "sales by region"),
            ("lab protocol", "measurements.csv", "readings over time"),
            ("annual review", "kpis.csv", "the KPI trends"),
            ("policy brief", "survey.csv", "support by age group"),
        ),
        5,
    ),
    Recipe(
        "paper_slides_with_results_chart",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}'s main contributions", (0,)),
            S("analyze_table", "Compute {what} from {file}"),
            S("render_chart", "Draw a chart of {what}", (2,)),
            S("make_slides", "Build a slide deck from the summary with the results chart", (1, 3)),
        ),
        (
            "Make slides from this {doc} and add a chart of {what} from {file}.",
            "Build a presentation on the {doc}; plot {what} from {file} for the results slide.",
            "Turn the {doc} into a deck with a graph of {what} (the data is in {file}).",
            "Summarise the {doc} into slides and include a chart of {what} using {file}.",
            "I'm presenting the {doc}: I need slides plus a chart of {what} from {file}.",
        ),
        _fills(
            "doc file what",
            ("research paper", "results.csv", "accuracy per model"),
            ("paper", "ablation.csv", "the ablation results"),
            ("study", "trial_data.csv", "recovery rates by group"),
            ("thesis chapter", "experiments.csv", "runtime against input size"),
        ),
        5,
    ),
    Recipe(
        "briefing_pack",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("summarize", "Summarise the {doc}", (0,)),
            S("answer_question", "Answer from the {doc}: {q}", (0,)),
            S("analyze_table", "Compute the key results from {file}"),
            S("render_chart", "Draw a chart of the results in {file}", (3,)),
            S(
                "make_slides",
                "Build a slide deck with the summary, the answer on {q} and the chart",
                (1, 2, 4),
            ),
            S(
                "write_report",
                "Write a markdown report with the summary, the answer on {q}, the results and the chart",
                (1, 2, 3, 4),
            ),
        ),
        (
            "From this {doc} and {file}: summarise the work, tell me {q}, chart the results, and produce both slides and a report.",
            "I need a briefing pack on the {doc}: a slide deck and a written report, each with a summary, {q}, and a chart from {file}.",
            "Prepare slides and a markdown report on the {doc}, covering its main points and {q}, with a results chart from {file}.",
            "Read the {doc}, work out {q}, analyse {file} and chart it; then build a presentation and a report from all of that.",
            "Make a deck and a report for the review meeting: a summary of the {doc}, {q}, and a chart of {file}.",
        ),
        _fills(
            "doc file q",
            ("research paper", "results.csv", "what the main limitations are"),
            ("evaluation report", "scores.csv", "which recommendations are most urgent"),
            ("pilot study", "outcomes.csv", "whether the pilot should be scaled up"),
        ),
        5,
    ),
    Recipe(
        "meeting_pack",
        (
            S("transcribe_audio", "Transcribe the {rec}"),
            S("summarize", "Summarise the discussion and decisions", (0,)),
            S("extract_text", "Extract the text of the {doc}"),
            S("answer_question", "Answer which items on the {doc} were not discussed", (0, 2)),
            S("analyze_table", "Compute the key figures in {file}"),
            S("render_chart", "Draw a chart of the figures in {file}", (4,)),
            S(
                "write_report",
                "Write a markdown meeting report with the summary, the skipped items, the figures and the chart",
                (1, 3, 4, 5),
            ),
            S(
                "generate_text",
                "Write a follow-up email to attendees with the summary and the skipped items",
                (1, 3),
            ),
        ),
        (
            "Transcribe the {rec}, summarise it, check which items on the {doc} were skipped, chart the figures in {file}, and write a report plus a follow-up email.",
            "Put together the meeting pack: a summary of the {rec}, which points of the {doc} weren't covered, a chart from {file}, a markdown report and an email to attendees.",
            "I need a report on the {rec} with a chart of {file}, a note of what on the {doc} was never discussed, and a follow-up email to everyone.",
            "Summarise the {rec}, compare it to the {doc} to find what was missed, graph {file}, then write both the report and the follow-up email.",
            "After the {rec}: summary, agenda items from the {doc} we skipped, a chart of {file}, a formatted report, and a recap email.",
        ),
        _fills(
            "rec doc file",
            ("board meeting recording", "board agenda PDF", "finance.csv"),
            ("quarterly review call", "review agenda PDF", "metrics.csv"),
            ("steering committee recording", "committee agenda PDF", "milestones.csv"),
        ),
        5,
    ),
    Recipe(
        "lecture_study_pack",
        (
            S("transcribe_audio", "Transcribe the {rec}"),
            S("summarize", "Summarise the {rec} into study notes", (0,)),
            S("make_slides", "Build revision slides from the study notes", (1,)),
            S("generate_text", "Write practice quiz questions from the transcript", (0,)),
        ),
        (
            "Turn this {rec} into revision slides and a practice quiz.",
            "Transcribe the {rec}, summarise it into a slide deck, and write quiz questions on it too.",
            "From the {rec}, I want study slides and ten practice questions.",
            "Make a recap deck and a short quiz out of the {rec}.",
            "Summarise the {rec} for students: slides plus a quiz.",
        ),
        _fills(
            "rec",
            ("biology lecture recording",),
            ("history seminar recording",),
            ("statistics class recording",),
            ("coding bootcamp session recording",),
        ),
        5,
    ),
    Recipe(
        "two_papers_comparison_slides",
        (
            S("extract_text", "Extract the text of {a}"),
            S("extract_text", "Extract the text of {b}"),
            S("summarize", "Summarise {a}", (0,)),
            S("summarize", "Summarise {b}", (1,)),
            S(
                "make_slides",
                "Build a slide deck comparing {a} and {b} from their summaries",
                (2, 3),
            ),
        ),
        (
            "Make one deck comparing {a} and {b}.",
            "Summarise {a} and {b} separately and put both summaries into a single presentation.",
            "Build slides that contrast {a} with {b}.",
            "I want a side-by-side presentation of {a} and {b}.",
            "Read {a} and {b}, summarise each, and create a comparison slide deck.",
        ),
        _fills(
            "a b",
            ("paper_a.pdf", "paper_b.pdf"),
            ("bert.pdf", "gpt.pdf"),
            ("proposal_2024.pdf", "proposal_2025.pdf"),
            ("vendor_x.pdf", "vendor_y.pdf"),
        ),
        5,
    ),
)

# Short requests that only point at a file ("this PDF", "notes.txt"): the phrasings above are
# longer, and the planner trained on them alone read two PDFs into "Summarise this PDF" and
# planned no translation for "Translate this document into French".
_SHORT = (
    Recipe(
        "pdf_translate",
        (
            S("extract_text", "Extract the text of the {doc}"),
            S("translate", "Translate the {doc} into {lang}", (0,)),
        ),
        (
            "Translate this {doc} into {lang}.",
            "Put the attached {doc} into {lang}, please.",
            "I need the {doc} PDF in {lang}.",
            "Can you translate the {doc} I uploaded to {lang}?",
            "{lang} version of this {doc}, please.",
        ),
        _fills(
            "doc lang",
            ("document", "French"),
            ("contract", "German"),
            ("research paper", "Spanish"),
            ("user manual", "Italian"),
            ("press release", "Japanese"),
            ("letter", "English"),
        ),
        10,
    ),
    Recipe(
        "pdf_summary_short",
        (
            S("extract_text", "Extract the text of {file}"),
            S("summarize", "Summarise {file}", (0,)),
        ),
        (
            "Summarise {file}.",
            "Summarize this PDF: {file}",
            "TL;DR of {file}?",
            "What does {file} say? Keep it short.",
            "Give me the gist of {file}.",
        ),
        _fills(
            "file",
            ("paper.pdf",),
            ("q3_report.pdf",),
            ("lease.pdf",),
            ("whitepaper.pdf",),
            ("chapter2.pdf",),
            ("minutes.pdf",),
        ),
        10,
    ),
    Recipe(
        "text_file_summary",
        (S("summarize", "Summarise {file}"),),
        (
            "Summarise {file}.",
            "Summarize the notes in {file}.",
            "TL;DR of {file}, please.",
            "What are the key points of {file}?",
            "Boil {file} down to a few lines.",
        ),
        _fills(
            "file",
            ("notes.txt",),
            ("meeting_minutes.md",),
            ("draft.txt",),
            ("README.md",),
            ("interview_notes.txt",),
            ("changelog.md",),
        ),
        10,
    ),
)

RECIPES: tuple[Recipe, ...] = _SINGLE + _CHAIN + _DAG + _SHORT
