import pytest

from qa.answer import EmptyQuestion
from qa.figures import find_figures, named_things_in, people_in
from qa.asking import asked, asked_category, asked_kind
from qa.clauses import names_whom
from qa.text import normalise, sentence_spans, unsupported_numbers


def _check_citations(pipeline, answer):
    for c in answer.citations:
        assert pipeline.index.document_text(c.doc_id)[c.start:c.end] == c.quote
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_transform_figure_is_answered_and_cited(pipeline):
    answer = pipeline.ask("How much did MacAlister call for to transform the system?")
    assert not answer.abstained
    assert "£2.6 billion" in answer.answer
    first = answer.citations[0]
    assert first.doc_id == "001_7d838c9a240800e0" and "£2.6 billion" in first.quote
    _check_citations(pipeline, answer)


def test_out_of_scope_question_abstains_and_shows_nearest_passages(pipeline):
    answer = pipeline.ask("What is the capital of France?")
    assert answer.abstained
    assert "don't say" in answer.answer
    assert len(answer.citations) == pipeline.settings.top_k
    _check_citations(pipeline, answer)


def test_near_miss_figure_is_not_guessed(pipeline):
    answer = pipeline.ask("How much is the foster carers' allowance going up by?")
    assert answer.abstained and "£" not in answer.answer


@pytest.mark.parametrize("question, expected", [
    ("how much money is going on foster carers?", "£25m"),
    ("Who led the review?", "Josh MacAlister"),
    ("who is the children's minister", "Claire Coutinho"),
    ("How much has the social work workforce grown since 2017?", "14%"),
    ("How much will the new Family Help service cost to set up?", "£2 billion"),
    ("When was the implementation strategy published?", "2 February"),
    # The words asked about stand in a quotation: its speaker is the one named.
    ("whos the childrens minister now the one who talked abt brilliant foster carers", "Claire Coutinho"),
])
def test_figure_questions(pipeline, question, expected):
    answer = pipeline.ask(question)
    assert not answer.abstained and expected in answer.answer
    assert expected in answer.citations[0].quote
    _check_citations(pipeline, answer)


@pytest.mark.parametrize("question, unknown", [
    ("How old is Josh MacAlister?", None),  # no age anywhere
    ("What is the average salary of a social worker?", "salary"),  # an amount of a thing never mentioned
    ("how much money does the implementation board get", None),  # sums nearby are for other things
    ("How many foster carers are there right now?", None),  # "thousands of new foster carers" is a flow
    ("On what date was the review's final report published?", None),  # the only date is the strategy's
    # The board is spoken of, but no one is named as its chair; another board's chair is not the answer.
    ("Who will chair the National Implementation Board?", None),
    ("who chairs the national implementation board thing", None),
    # Only a name of the kind asked answers: no council, school or city is named anywhere.
    # The head of a body the documents quote but never name: another body's chair is not the answer.
    ("whats the name of the person who runs the independent childrens homes association", None),
    ("wat council is anntoinette bramble from", None),
    ("where did star hobson live like which city", None),
    ("wat school did josh macalister teach at b4", None),
    # A sum for something else in the same sentence is not the share asked for; a package without a value.
    ("how much of the 200m is for fixing childrens homes", None),
    ("What was the value of the largest package of children's social care placements since 2010?", None),
    # A figure from a passage far below the one plainly about the question answers another question, though
    # that passage states no figure of its own.
    ("What sum did the Government commit specifically to funding the new expert child protection social worker role?",
     None),
    ("In which month and year did the Government launch the Independent Review of Children's Social Care?", None),
    # A rarer thing of its own the documents never mention; but a kind a which-question asks to be named
    # ("which regulator's report") may be named without the word.
    ("is there anything abt care leavers not paying council tax or free prescriptions", "prescriptions"),
    # Where all else the question has are words most passages use, the noun no document uses is its topic.
    ("wat did the review say about adoption", "adoption"),
    ("ok so wat did the review say abt adoption tho", "adoption"),
])
def test_near_misses_abstain(pipeline, question, unknown):
    answer = pipeline.ask(question)
    assert answer.abstained, answer.answer
    assert not unsupported_numbers(answer.answer, [])
    if unknown:
        assert f"“{unknown}”" in answer.answer


@pytest.mark.parametrize("question, expected, not_expected", [
    # The title beside the name decides, not the words of their quote; a shadow minister is another role.
    ("Who was the children's minister quoted on the implementation strategy?", "Claire Coutinho", "Helen Hayes"),
    # The event ("when it started") is matched by the article that reports it.
    ("who was education secretary when they started the review", "Gavin Williamson", "Zahawi"),
    ("Who was Children's Commissioner for England when the final report was published?", "Rachel de Souza",
     "Longfield"),
    # The kind of name asked for: a board, a scheme.
    ("Name the body the government announced to oversee implementation of the review's recommendations.",
     "National Implementation Board", None),
    ("whats the scheme called that puts social workers in schools", "Social Workers in Schools", None),
    # A figure given in the question anchors the answer and is not itself the answer.
    ("Over what period would the review's £253 million for social worker recruitment be spent?", "five years",
     "two years"),
    # ... though the figure stands in another clause of the sentence than the words of the question
    ("when wud the 30k more kids be with their families", "2032", None),
])
def test_the_asked_thing_is_chosen(pipeline, question, expected, not_expected):
    answer = pipeline.ask(question)
    assert not answer.abstained and expected in answer.answer
    assert not_expected is None or not_expected not in answer.answer.split(".")[0]
    _check_citations(pipeline, answer)


def test_a_year_comes_from_the_dateline_of_an_article_saying_today(pipeline):
    answer = pipeline.ask("In what year did the government publish its implementation strategy?")
    assert not answer.abstained and "2023" in answer.answer
    assert "today" in answer.citations[0].quote
    assert answer.citations[1].quote == "Thursday, February 2, 2023"
    _check_citations(pipeline, answer)


@pytest.mark.parametrize("question", ["who is josh macalister", "who even is josh macalister like wat did he do",
                                      "who is josh macalister anyway like wat did he do before"])
def test_who_is_a_named_person_answers_with_what_they_are(pipeline, question):
    answer = pipeline.ask(question)
    assert not answer.abstained
    assert "founder" in answer.answer or "Chair of" in answer.answer
    _check_citations(pipeline, answer)


def test_every_number_in_an_answer_stands_in_a_cited_quote(pipeline):
    for q in ["How many proposals did the review make?", "How much is the early help pilot worth?",
              "How many children will be in care by next decade?", "What did the ICHA say?"]:
        answer = pipeline.ask(q)
        assert unsupported_numbers(answer.answer, [c.quote for c in answer.citations]) == []


def test_no_citation_quotes_boilerplate(pipeline):
    for q in ["newsletter subscribe privacy policy", "How much is a monthly subscription?", "phone number for bookings"]:
        for c in pipeline.ask(q).citations:
            assert not any(w in c.quote.lower() for w in ("newsletter", "subscribe", "privacy policy", "/ month"))


def test_bad_input(pipeline):
    with pytest.raises(EmptyQuestion):
        pipeline.ask("   \n ")
    long = pipeline.ask("How much did MacAlister call for? " + "x" * 3000)
    assert long.notices and "2000" in long.notices[0]
    assert len(long.question) == 2000


def test_question_kinds():
    assert asked_kind("how much cash is going on foster carers") == "money"
    assert asked_kind("How many areas get family hubs?") == "count"
    assert asked_kind("When was the strategy published?") == "date"
    assert asked_kind("Who led the review?") == "person"
    assert asked_kind("how long is the funding for") == "duration"
    assert asked_kind("What is Family Help?") == "general"
    assert asked_kind("how old is he") == "age"
    assert asked_kind("What is the estimated cost of the cooperatives?") == "money"
    assert asked_kind("What profit margin did the CMA find?") == "percent"
    assert asked_kind("wat % did the workforce grow") == "percent"  # a sign typed alone, not after a number
    assert asked_kind("Which seven areas get hubs?") == "place"
    assert asked_kind("what are the 7 areas getting hubs") == "place"
    assert asked_kind("Which provider body said it was stunned?") == "name"
    assert asked_kind("did they ask care leavers? whats that group called") == "name"
    assert asked_kind("who is Josh MacAlister") == "profile"
    assert asked_kind("How does the report describe the number of children in care?") == "general"
    assert asked_kind("what council is she from") == "name"
    assert asked_kind("what is the minimum age to foster") == "age"
    assert asked_kind("what will the weekly fostering allowance be") == "money"
    assert asked_kind("what was he paid for it") == "money"
    assert asked_kind("Which LGA councillor chaired the board?") == "person"
    assert asked_kind("who was the council leader") == "person"  # a council's name answers only "which council"
    assert asked_kind("what is the name of the fee charged") == "name"
    assert asked_kind("what is the percentage of the budget") == "percent"
    assert asked_kind("Which school outcomes have the pilots helped improve?") != "name"  # it asks for outcomes
    # How far a number has moved is given as a share of it: "grown by 14% since 2017".
    assert asked_kind("has the number of social workers gone up at all") == "percent"
    assert asked_kind("has the number of kids in care risen") == "percent"
    assert asked_kind("how many more foster carers will there be") == "count"
    assert asked_kind("On what exact date did he launch the review?") == "date"
    assert asked_kind("What total amount was committed?") == "money"
    # Up to two words (a number, a hyphenated modifier) may stand before the thing whose name is asked.
    assert asked_kind("Which two school-based programmes get funding?") == "name"
    # A chair, president or chief executive named by what they chair asks for the person.
    assert asked_kind("Which LGA Children and Young People Board chair responded to the launch?") == "person"
    assert asked_kind("Which charity does Mark Russell lead as chief executive?") == "name"
    # A possessive or hyphenated modifier stands before the title or the measure like any other word.
    assert asked_kind("Which Children's Commissioner for England commented?") == "person"
    assert asked_kind("Which children’s minister was quoted?") == "person"
    assert asked_kind("What is the estimated set-up cost of the cooperatives?") == "money"
    assert asked_kind("whats the name of the person who runs it") == "person"
    # The amount is what "what" stands for: "what did they estimate the cost would be?"
    assert asked("What did the review estimate the running cost of Family Help would be once set up?") == ("money", True)
    assert asked("what did they say about the cost of care") == ("money", False)  # a topic only
    assert asked_kind("Which board did Cllr Bramble chair when responding?") == "name"
    assert asked_kind("what are the two school-based programmes councils get money for") == "name"


def test_figures_and_normalisation():
    kinds = {(f.kind, f.text) for f in find_figures("A further£45m in 12 local areas, 14% since 2017, over five years")}
    assert {("money", "£45m"), ("count", "12"), ("percent", "14%"), ("date", "2017"), ("duration", "five years")} <= kinds
    assert normalise("£2.6bn over five years") == normalise("£2.6 Billion over 5 years")
    assert normalise("30,000 children") == "30000 children"
    assert normalise("30k kids") == normalise("30 thousand kids") == "30000 kids"  # as the documents write it
    assert normalise("£2.5k") == "£2500" and normalise("thousands of") == "thousands of"
    assert unsupported_numbers("30,000 [1]", ["30k more children"]) == []
    assert unsupported_numbers("£2.6 billion [1]", ["£2.6bn funding"]) == []
    assert unsupported_numbers("£2.7 billion [1]", ["£2.6bn funding"]) == ["£2.7 billion"]
    assert unsupported_numbers("£2.6 million [1]", ["£2.6bn funding"]) == ["£2.6 million"]  # the scale counts


def test_names_are_found_without_their_titles():
    names = [f.text for f in people_in("Education Secretary Nadhim Zahawi, said, with Dame Rachel de Souza and "
                                       "Cllr Anntoinette Bramble; Chair of the Review Josh MacAlister")]
    assert names == ["Nadhim Zahawi", "Rachel de Souza", "Anntoinette Bramble", "Josh MacAlister"]


def test_a_capital_at_the_start_of_a_sentence_or_quotation_is_no_name():
    text = 'She added: "Supporting children matters." Councils agree, as does Leeds.'
    assert [f.text for f in named_things_in(text)] == ["Leeds"]


def test_sentence_spans_keep_quotes_and_amounts_together():
    text = "He said: “It will cost £2.6bn.” Mr. Smith agreed. Costs rose 14.5% in 2022/23.\nNext line"
    assert [text[s.start:s.end] for s in sentence_spans(text)] == [
        "He said: “It will cost £2.6bn.”", "Mr. Smith agreed.", "Costs rose 14.5% in 2022/23.", "Next line"]


def test_the_exact_number_is_not_given_by_a_vague_quantity(pipeline):
    vague = pipeline.ask("how many new foster carers will be recruited")
    assert not vague.abstained and "thousands" in vague.answer.lower()
    exact = pipeline.ask("What's the exact number of new foster carers the review wants recruited?")
    assert exact.abstained and "don't give that figure" in exact.answer


def test_a_heading_is_not_taken_for_a_statement():
    from qa.answer import is_heading

    assert is_heading("Calls for a Windfall Tax") and is_heading("New proposals from the review include:")
    assert is_heading("Thursday, February 2, 2023")
    assert not is_heading("Seven areas of England will also receive funding to set up family hubs.")
    assert not is_heading("“Change is now both morally urgent and financially unavoidable.”")


def test_a_name_of_the_kind_asked_for_comes_before_a_person(pipeline):
    answer = pipeline.ask("josh set up some group of ppl whod had social workers at the start wat was it called")
    assert not answer.abstained and "Experts by Experience" in answer.answer


def test_a_measure_word_used_as_a_verb_asks_for_an_amount_not_that_measure(pipeline):
    understand = pipeline.understander.understand
    assert understand("what would it cost to fix everything").demands.measures == ()
    assert understand("how much will they pay foster carers").demands.measures == ()
    assert understand("what is the cost of the new service").demands.measures == (frozenset({"cost"}),)
    answer = pipeline.ask("wat did that guy who did the review say it wud cost to fix everything")
    assert not answer.abstained and "£2.6" in answer.answer


def test_a_lead_in_is_quoted_with_what_it_introduces(pipeline):
    answer = pipeline.ask("who was the education boss when the report came out")
    assert "Zahawi" in answer.answer
    quote = answer.citations[0].quote
    assert not quote.rstrip().endswith(":") and "start of a journey" in quote


def test_who_are_the_companies_asks_for_their_names(pipeline):
    understand = pipeline.understander.understand
    companies = understand("who r the 15 big care companies josh was on abt")
    assert companies.kind == "name" and companies.wants_figure
    assert understand("who was the chair of the board").kind == "person"  # a chair, of a board
    assert understand("who is the childrens minister").kind == "person"
    answer = pipeline.ask("who r the 15 big care companies josh was on abt")
    assert answer.abstained and "don't name them" in answer.answer and answer.citations


def test_a_figure_in_a_sentence_sharing_none_of_the_questions_words_is_not_the_answer(pipeline):
    # The £2 billion is said of Family Help; the expert social worker role has no cost in the documents.
    answer = pipeline.ask("how much wud the expert social worker thing cost")
    assert answer.abstained and "£2 billion" not in answer.answer
    assert not pipeline.ask("how much would the new Family Help service cost to set up").abstained


def test_how_many_of_them_counts_the_noun_that_follows(pipeline):
    query = pipeline.understander.understand("how many of them regional care cooperative things r they gonna set up")
    assert query.demands.counted and "regional" in query.demands.counted
    # "thousands of new foster carers" stands beside the cooperatives but counts carers.
    assert pipeline.ask("how many of them regional care cooperative things r they gonna set up").abstained


def test_what_is_the_number_of_counts_the_noun_that_follows(pipeline):
    # "Seven areas" counts areas, not social workers; the documents give no total of social workers.
    assert pipeline.ask("What is the total number of child and family social workers employed in England?").abstained
    # Here "the number of children" is what the figure limits, not what is counted.
    answer = pipeline.ask("Above what number did MacAlister want to stop the number of children in care rising?")
    assert "100,000" in answer.answer


def test_which_providers_asks_for_their_names(pipeline):
    answer = pipeline.ask("Which fifteen providers did MacAlister say should face a windfall tax?")
    assert answer.abstained and "don't name them" in answer.answer



def test_a_sentence_that_only_restates_the_question_is_not_the_answer(pipeline):
    """"A National Children's Social Care Framework is also set to be organised" says nothing about what it is for."""
    answer = pipeline.ask("whats the national childrens social care framework thing for")
    assert not answer.abstained and "best available evidence" in answer.citations[0].quote


def test_an_amount_asked_for_a_period_is_not_answered_by_one_for_another():
    from qa.understand import period_of

    assert [period_of(t) for t in ("get a week", "weekly", "per year", "annually", "over five years")] == [
        "week", "week", "year", "year", ""]
    assert [period_of(t) for t in ("roughly £2 billion to set up", "a one-off grant", "£1m a year to set up")] == [
        "once", "once", "year"]  # a period named wins


def test_a_running_cost_is_not_answered_by_a_cost_of_setting_up(pipeline):
    assert pipeline.ask("how much is family help gonna cost each year to run").abstained
    assert "£2 billion" in pipeline.ask("how much would it cost to set up family help").answer


def test_a_weekly_amount_is_not_answered_by_a_yearly_one(pipeline):
    answer = pipeline.ask("how much does the care system cost per week")
    assert answer.abstained and "£15 billion" not in answer.answer


def test_a_time_set_by_an_event_is_answered_from_a_report_of_that_event(pipeline):
    understand = pipeline.understander.understand
    assert [t.word for t in understand("who chaired the board when the review launched").event] == ["review", "launch"]
    assert understand("when did the review launch").event == ()  # the question's own "when"
    assert understand("what happened the following year").event == ()
    assert understand("which act did she cite when saying children do best at home").event == ()
    launch = pipeline.ask("Who chaired the LGA's Children and Young People Board when the review launched?")
    assert launch.figure == "Judith Blake"
    # The ADCS president quoted is quoted on the launch; no report of the final report names one.
    final = pipeline.ask("Who was President of the Association of Directors of Children's Services when the "
                         "final report was published?")
    assert final.abstained and "don't name them" in final.answer


def test_what_someone_said_is_answered_only_by_their_words_on_what_was_asked(pipeline):
    understand = pipeline.understander.understand
    asked = understand("wat did claire coutinho say abt the windfall tax")
    assert [t.word for t in asked.said_by] == ["claire", "coutinho"]
    assert "macalister" in understand("how much did josh say they need").said_by[0].alternatives  # his full name
    assert [t.word for t in asked.said_about] == ["windfall", "tax"]
    assert understand("what did the review say about kinship care").said_by == ()  # no one named
    assert understand("What is the government's February 2023 response to the review called?").said_by == ()
    # She is quoted, but not on a tax; MacAlister's call for one is not hers.
    assert pipeline.ask("wat did claire coutinho say abt the windfall tax").abstained
    assert "further and faster" in pipeline.ask("did josh think the govts response was good enough or nah").answer


def test_a_rate_asks_for_a_percentage_and_a_year_asked_from_is_not_another(pipeline):
    understand = pipeline.understander.understand
    assert understand("what unemployment rate do they give").kind == "percent"
    assert understand("what rate is the fostering allowance paid at").kind != "percent"
    assert understand("In which month and year did the strategy come out?").demands.year  # a year is asked too
    since = understand("By what percentage has the social worker workforce grown since 2010?")
    assert since.demands.years == (("since", "2010"),)
    # The documents give the rise since 2017 (14%), not since 2010.
    assert pipeline.ask("By what percentage has the social worker workforce grown since 2010?").abstained
    assert "14%" in pipeline.ask("By what percentage has the social worker workforce grown since 2017?").answer


def test_when_something_happened_is_not_answered_by_a_promise(pipeline):
    understand = pipeline.understander.understand
    assert understand("when did the government publish it").demands.past
    assert not understand("when did Zahawi say he'd set out his plans").demands.past  # when the plans would come
    assert not understand("when will the board be set up").demands.past
    answer = pipeline.ask("when did the govt come out with its plan after all that")
    assert "later this year" not in answer.answer.lower() and "in the coming" not in answer.answer.lower()
    assert "in the coming months" in pipeline.ask("when did zahawi say he would set out his plans for change").answer.lower()


def test_a_sum_asked_for_one_of_something_is_not_answered_by_a_total(pipeline):
    understand = pipeline.understander.understand
    assert "child" in understand("how much does a placement cost for one kid").demands.each_one
    assert understand("how much is one of the new pots worth").demands.each_one == frozenset()  # "one of": a part
    assert understand("how many kids does one social worker have").demands.each_one == frozenset()  # not a sum
    # The documents give what the whole system costs a year, never a cost per child.
    assert pipeline.ask("how much does it cost to keep one child in care").abstained
    assert "£2.6" in pipeline.ask("how much did josh say they need to spend on the system").answer


def test_a_yes_no_question_is_answered_only_by_a_passage_about_its_subject(pipeline):
    understand = pipeline.understander.understand
    assert understand("did the govt agree to make care experience a protected characteristic").subject.word == "government"
    assert understand("would spending all that money save money").subject is None  # a verb, not who acts
    assert understand("what did the government do").subject is None
    # The review recommends it; no passage says the government agreed.
    assert pipeline.ask("did the govt agree to make care experience a protected characteristic or nah").abstained
    assert not pipeline.ask("is the govt setting up like a board or sumthing to make it actually happen").abstained


def test_an_afterthought_after_the_question_does_not_hide_what_it_asks(pipeline):
    understand = pipeline.understander.understand
    assert understand("how much did josh want?? like for real").kind == "money"
    assert understand("did they get care leavers to help? whats that group called").kind == "name"


def test_whether_a_proposal_came_about_is_not_answered_by_the_proposal(pipeline):
    understand = pipeline.understander.understand
    assert understand("did they actually do the windfall tax in the end").asks_outcome
    assert not understand("did the review say it should be in law").asks_outcome  # what was proposed
    assert not understand("is having been in care gonna count in law").asks_outcome  # what is planned
    # "ever" asks whether it came about; a wish that describes the thing does not make it a wish
    assert understand("did the govt ever do the white paper the council ppl wanted within the 6 months").asks_outcome
    assert not understand("did the government want it to actually happen").asks_outcome
    assert not understand("are there more kids in care now than ever before").asks_outcome
    assert not understand("has funding ever been this high").asks_outcome
    assert not understand("did the children's commissioner and the LGA call for it to happen").asks_outcome
    assert pipeline.ask("did they actually do the windfall tax in the end").abstained
    assert not pipeline.ask("is the govt setting up like a board or sumthing to make it actually happen").abstained


def test_a_sum_committed_is_not_answered_by_a_sum_called_for(pipeline):
    understand = pipeline.understander.understand
    assert understand("how much is the govt actualy putting in then").demands.committed
    assert not understand("how much money did the guy want the govt to spend").demands.committed
    assert not understand("how much profit do the providers make").demands.committed
    # MacAlister called for £2.6bn; the strategy is backed by £200m.
    assert pipeline.ask("how much money is the govs plan backed with").figure == "£200m"
    assert "£2.6" not in pipeline.ask("how much is the govt actualy putting in then").answer


def test_of_what_someone_said_the_passage_saying_most_of_what_was_asked_answers(pipeline):
    assert "tinker around the edges" in pipeline.ask("What did Anne Longfield say the review must not do?").answer
    # Named, but not speaking: "The review will be led by Josh MacAlister" is not what he said.
    assert "listen deeply" in pipeline.ask("How did MacAlister say the review would work when it was launched?").answer


def test_a_sentence_in_a_chunk_of_many_topics_is_found_by_its_own_nearness(pipeline):
    # The recommendation stands in a list of others: the chunk as a whole is far from the question.
    answer = pipeline.ask("What new role did the final report propose to strengthen child protection "
                          "alongside Family Help teams?")
    assert "expert social worker" in answer.citations[0].quote
    vector = pipeline.retriever.search("expert social worker role", limit=1).query_vector
    near = pipeline.retriever.sentence_passages(vector, 2, ())
    assert len(near) == 2 and "expert social worker" in near[0].chunk.text


def test_a_hyphenated_modifier_is_not_the_noun_a_name_is_asked_for():
    assert "programme" in asked_category("Which two school-based programmes get funding?")
    # A government's response or document is named as a strategy, plan or paper is.
    assert "strategy" in asked_category("what is the govt's response called")
    assert "report" in asked_category("what is the name of the document published in 2022")


def test_a_name_called_what_the_question_calls_it_comes_before_its_kin(pipeline):
    # A board and a group are both bodies; the question said "group".
    answer = pipeline.ask("wat was the group of ppl with lived experiance called that josh set up")
    assert "Experts by Experience" in answer.answer
    _check_citations(pipeline, answer)


def test_the_noun_a_name_is_asked_for_stands_before_what_it_is_called_and_said_to_do():
    assert asked_category("what is the new thing called that is meant to stop companies making money") == frozenset()
    assert "group" in asked_category("what was the group of people called that josh set up")


def test_everyday_phrases_are_matched_as_the_question_is_read():
    from qa.understand import rewrite
    # "loads" is read "a lot": the phrase table's "loads of money" must still match.
    assert any(phrase == "a lot of money" for phrase, _ in rewrite("making a lot of money off kids")[1])


@pytest.mark.parametrize("question, expected", [
    ("Which regulator's report into profit-making by private children's social care providers did the strategy "
     "respond to?", "Competition and Markets Authority"),
    ("Which councillor chaired the LGA Children and Young People Board when the final report came out?",
     "Anntoinette Bramble"),
])
def test_the_kind_a_which_question_asks_to_be_named_is_no_unknown_thing(pipeline, question, expected):
    answer = pipeline.ask(question)
    assert expected in answer.answer, answer.answer


def test_what_someone_reckons_is_answered_by_what_they_are_reported_to_say(pipeline):
    # The article's own closing thought on the tax is nobody's view of why it is due.
    answer = pipeline.ask("why does he reckon the big care companies should pay extra tax")
    assert "market failure" in answer.answer and "He suggested" in answer.citations[0].quote
    _check_citations(pipeline, answer)


def test_an_adjective_meets_its_adverb_in_the_documents():
    from qa.understand import adverb_and_adjective
    assert adverb_and_adjective("moral") == {"morally"} and adverb_and_adjective("urgently") == {"urgent"}
    assert adverb_and_adjective("family") == set() and adverb_and_adjective("early") == set()


def test_a_question_in_adjectives_finds_the_documents_adverbs(pipeline):
    answer = pipeline.ask("How did MacAlister characterise the case for change in moral and financial terms?")
    assert "morally urgent" in answer.answer


def test_what_a_besides_question_puts_aside_is_not_asked_about(pipeline):
    from qa.clauses import without_set_aside
    assert without_set_aside("Besides the Care Review, what else was it responding to?") == \
        "Besides , what else was it responding to?"
    assert without_set_aside("besides that, how much was it") == "besides that, how much was it"  # no "else"
    answer = pipeline.ask("Besides the Care Review, what else was the government's strategy responding to?")
    assert "Arthur Labinjo-Hughes" in answer.answer


def test_by_when_is_answered_by_a_time_limit_but_a_past_date_is_not(pipeline):
    answer = pipeline.ask("the councils lot wanted some white paper thing by when")
    assert "within the next six months" in answer.answer.lower()
    # "what date?" asks for a day, month or year, which a time limit does not give
    assert pipeline.understander.understand("what date exactly will record numbers be in care").demands.calendar
    assert "within a decade" not in pipeline.ask("what date exactly will record numbers be in care").answer.lower()
    for question in ("When did the government publish the White Paper the LGA called for?",
                     "What was the deadline for responses to MacAlister's Call for Advice?"):
        assert pipeline.ask(question).abstained, question


@pytest.mark.parametrize("question", ["how much is the govt actualy putting in then",
                                      "how much money did govt actually put in after the review cos it sounds like not much"])
def test_what_they_are_putting_in_is_the_sum_given_as_a_whole_not_a_further_part(pipeline, question):
    answer = pipeline.ask(question)
    assert answer.answer.startswith("£200m"), answer.answer
    _check_citations(pipeline, answer)


def test_a_quoted_sentence_is_about_its_speaker_and_an_article_about_its_date(pipeline):
    # The sentence naming Cllr Blake gives no period; the one she speaks in does.
    answer = pipeline.ask("Over what period did Cllr Judith Blake say demand for support had increased dramatically?")
    assert "last decade" in answer.answer


def test_the_long_of_how_long_is_no_subject_the_answer_must_name(pipeline):
    answer = pipeline.ask("how long is the govt's 200m spread over")
    assert answer.answer.startswith("Two years"), answer.answer


def test_a_time_the_question_names_is_met_by_the_month_its_article_is_dated(pipeline):
    from qa.text import month_and_year
    assert month_and_year("2023-02-02") == "February 2023" and month_and_year("2023") == ""
    answer = pipeline.ask("whos the childrens minister in the feb 2023 thing")
    assert answer.answer.startswith("Claire Coutinho"), answer.answer


@pytest.mark.parametrize("question, expected", [
    ("who from the local goverment association spoke when the review started", "Judith Blake"),
    ("who from the lga said smth when the final report came out", "Anntoinette Bramble"),
    ("who was the LGA person that said stuff when the review started", "Judith Blake"),
    ("who from the local councils group talked when the review started", "Judith Blake"),  # not an "Association of ..."
])
def test_who_from_a_body_is_answered_by_someone_whose_title_names_it(pipeline, question, expected):
    answer = pipeline.ask(question)
    assert answer.answer.startswith(expected), answer.answer


@pytest.mark.parametrize("question", ["Which journalist wrote the CYP Now piece on MacAlister's reaction?",
                                      "who is the byline on the cyp now article"])
def test_an_author_question_may_name_the_outlet_and_its_words_are_no_unknown_thing(pipeline, question):
    assert pipeline.ask(question).answer.startswith("Joe Lepper"), question


def test_words_of_the_question_phrase_name_no_thing_the_documents_lack(pipeline):
    answer = pipeline.ask("Within what timescale did the LGA call for a White Paper?")
    assert "six months" in answer.answer, answer.answer


def test_a_month_naming_a_document_is_no_speaker(pipeline):
    query = pipeline.understander.understand("which body's report did the February 2023 strategy respond to?")
    assert not query.said_by


def test_the_event_a_who_question_sets_its_time_by_is_met_by_the_document_reporting_it(pipeline):
    answer = pipeline.ask("who was the childrens minister wen the govt plan came out")
    assert answer.answer.startswith("Claire Coutinho"), answer.answer
    # A document naming only some of the event's words does not report it.
    unanswerable = pipeline.ask("Who was Education Secretary when the implementation strategy was published in February 2023?")
    assert unanswerable.abstained, unanswerable.answer


def test_a_quoted_sentence_is_said_by_its_speaker_in_the_title_they_are_named_with(pipeline):
    # Mark Russell is named once as the Children's Society's chief executive; his later quote says who must act.
    answer = pipeline.ask("the childrens society guy said who needs to step up to get enough care placements")
    assert answer.answer.startswith("Mark Russell") and "national government" in answer.answer, answer.answer


def test_what_a_named_thing_does_is_not_its_name_and_when_it_comes_to_sets_no_time(pipeline):
    assert asked_kind("What does the strategy prioritise for children?") == "general"
    assert asked_kind("What is the strategy called?") == "name"
    query = pipeline.understander.understand("What does the strategy prioritise when it comes to where children are placed?")
    assert not query.event and "come" not in query.words()


def test_a_name_stood_for_is_not_met_by_a_word_every_document_shares(pipeline):
    query = pipeline.understander.understand("how much wud the rccs cost to set up")
    rcc = next(t for t in query.terms if t.word == "rcc")
    assert "care" in rcc.parts and "care" not in pipeline.finder.telling(rcc)
    # The £2 billion set-up cost is Family Help's, whose article's title says "care" as every title does.
    assert pipeline.ask("how much wud the rccs cost to set up").abstained


def test_a_person_the_question_names_does_not_answer_who_took_over_from_them(pipeline):
    answer = pipeline.ask("who took over from zahawi as education secretary after")
    assert answer.abstained and "Williamson" not in answer.answer, answer.answer


def test_the_head_of_a_body_is_someone_whose_title_names_that_body_or_no_one(pipeline):
    query = pipeline.understander.understand("who is the boss of the independent childrens homes association")
    assert {t.word for t in query.demands.affiliation} >= {"home", "association"}
    # Jenny Coles is President of the Association of Directors of Children's Services, another body.
    assert pipeline.ask("who is the boss of the independent childrens homes association").abstained
    assert pipeline.ask("who is the president of the adcs").answer.startswith("Jenny Coles")


def test_a_day_of_the_week_asked_for_is_a_date_that_names_the_day(pipeline):
    answer = pipeline.ask("what day of the week did the govt publish its strategy")
    assert answer.answer.startswith("Thursday"), answer.answer


def test_a_title_meets_a_term_only_by_its_telling_words(pipeline):
    # "Children's Commissioner" shares "children" with the care review's long name, as every title here does.
    answer = pipeline.ask("ok so who actually did the care review thing like wats his name")
    assert answer.answer.startswith("Josh MacAlister"), answer.answer


def test_words_that_look_like_a_unit_or_a_speaker_are_read_for_what_they_are(pipeline):
    understand = pipeline.understander.understand
    # "per the government" is "according to it", not an amount per something
    assert not understand("By what percentage has the workforce grown since 2017, per the government?").demands.per_unit
    assert understand("how much is paid per child").demands.per_unit
    # a document responds, but whose words are asked for is a person's
    assert understand("Which body's report did the Implementation Strategy also respond to?").said_by == ()
    assert understand("What proportion of children are placed with agencies?").kind == "percent"
    answer = pipeline.ask("how much would it cost 2 set up family help")
    assert answer.figure == "roughly £2 billion"


def test_names_sharing_one_plural_head_are_two_names():
    sentence = ("Funding will go to the Social Workers in Schools and Designated Safeguarding Lead Supervision "
                "programmes. The Competition and Markets Authority reported.")
    assert [f.text for f in named_things_in(sentence)] == [
        "Social Workers in Schools", "Designated Safeguarding Lead Supervision", "Competition and Markets Authority"]


def test_the_holder_of_a_title_who_said_the_words_given_answers(pipeline):
    # Two children's commissioners are named; the words are the second one's.
    answer = pipeline.ask("who was the commissioner lady that said we owe it to englands children")
    assert answer.figure == "Rachel de Souza"
    assert not pipeline.understander.understand("who was the minister that talked about the plan").asks_speaker


def test_a_figure_of_a_programme_the_question_names_stands_where_the_programme_is_named(pipeline):
    understand = pipeline.understander.understand
    assert understand("how much does family help cost every year").things == ("family help",)
    assert understand("how much did the independent review of children's social care want").things == ()  # the whole subject
    # What the whole system will cost a year is no running cost of Family Help.
    assert pipeline.ask("how much does family help cost every year 2 keep running").abstained
    # "schemes that put social workers onsite in schools" are the programme in other words
    answer = pipeline.ask("In which financial year will local authorities receive funding to continue the social workers in schools schemes?")
    assert answer.figure == "2022/23"


def test_what_someone_said_about_a_phrase_needs_the_phrase_not_one_of_its_words(pipeline):
    # Her quotation speaks of the care system and of carers, never of care leavers.
    assert pipeline.ask("wat did claire coutinho say about care leavers specifically").abstained
    assert pipeline.ask("What did Nadhim Zahawi say about MacAlister's proposed windfall tax?").abstained
    # "in his response to the final report" says when, not what about
    assert not pipeline.ask("How did Nadhim Zahawi describe the moment in his response to the final report?").abstained


def test_what_a_person_did_after_an_event_needs_a_passage_saying_when(pipeline):
    understand = pipeline.understander.understand
    assert understand("wat job did macalister get after the review was done").sequel == "after"
    assert understand("did councils want the govt to write some paper after the review").sequel == ""  # no one named
    # Who he was when the review began says nothing of what came after it.
    assert pipeline.ask("wat job did macalister get after the review was done").abstained
    assert "former teacher" in pipeline.ask("wat did josh do before the review like wat was his job").answer


def test_an_article_that_names_no_author_is_not_given_another_articles_byline(pipeline):
    answer = pipeline.ask("Who is the named author of the 'Fundamental shift needed for children's social care' article?")
    assert answer.abstained and "Lepper" not in answer.answer


def test_the_noun_a_which_asks_by_is_what_the_name_is_of(pipeline):
    question = "Besides Social Workers in Schools, which programme are local authorities being funded to continue delivering?"
    assert pipeline.understander.understand(question).category_noun == "programme"
    assert pipeline.ask(question).figure == "Designated Safeguarding Lead Supervision"


def test_a_count_of_the_asked_thing_is_judged_however_far_down_it_ranks(pipeline):
    # "more than 80 proposals" stands in a passage retrieval ranks low for "ideas ... in total".
    answer = pipeline.ask("how many ideas did the care review come up with in total")
    assert not answer.abstained and "more than 80 proposals" in answer.citations[0].quote


def test_a_figure_leads_with_how_exact_the_passage_says_it_is(pipeline):
    # Before, "80." led an answer whose passage says "more than 80 proposals"; "over two years" is a span.
    assert pipeline.ask("how many recommendations did the review make").answer.startswith("More than 80. ")
    assert pipeline.ask("how many ideas did the care review come up with in total").answer.startswith("More than 80. ")
    assert pipeline.ask("over how many years is the £200m").answer.startswith("Two years. ")
    # one list of such words: a question asking for the exact figure is not answered by a rough one
    assert pipeline.ask("what is the exact cost of setting up family help").abstained


def test_the_period_of_a_sum_answers_only_a_question_about_the_sum(pipeline):
    # "£2.6 billion over five years" says how long the money is for, not how long the review took.
    answer = pipeline.ask("how long did josh spend doing the whole review like months or years")
    assert answer.abstained and "five" not in answer.answer.lower()
    assert pipeline.ask("the 200 million from the government, how long is that for").answer.startswith("Two years. ")
    assert pipeline.ask("how long is the money for social workers").answer.startswith("Five years. ")


@pytest.mark.parametrize("phrase,names", [("care leavers like me", True), ("the kids", True), ("kinship carers", True),
                                          ("cost", False), ("cost the council", False), ("be spent on kids", False)])
def test_what_follows_going_to_names_whom_a_sum_is_for_or_what_will_happen(phrase, names):
    assert names_whom(phrase) is names


def test_a_sum_going_to_someone_is_for_them(pipeline):
    # "is going to care leavers" names what the part is for ("going to cost" does not); the £9m is for
    # kinship carers, and "care" in "care placements" is no word of "care leavers".
    answer = pipeline.ask("how much of the 200m is going to care leavers like me specifically")
    assert answer.abstained and answer.answer.startswith("These documents don't give that figure")
    assert pipeline.ask("how much of the 200m is going to kinship carers").answer.startswith("£9m. ")


def test_an_annual_cost_is_not_answered_by_a_set_up_cost(pipeline):
    question = "What did the review estimate the annual running cost of the Family Help service would be once established?"
    answer = pipeline.ask(question)
    assert answer.abstained and answer.answer.startswith("These documents don't give that figure")
    assert "£2 billion to set up" in " ".join(c.quote for c in answer.citations)  # shown as the nearest passage
