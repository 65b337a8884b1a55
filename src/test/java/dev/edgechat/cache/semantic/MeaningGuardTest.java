package dev.edgechat.cache.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class MeaningGuardTest {

  private final MeaningGuard guard = new MeaningGuard();

  private void assertSame(String question, String candidate) {
    MeaningGuard.Verdict verdict = guard.compare(question, candidate);
    assertThat(verdict.sameMeaning()).as("%s | %s: %s", question, candidate, verdict.reason()).isTrue();
    assertThat(guard.compare(candidate, question).sameMeaning()).as("%s | %s reversed", candidate, question).isTrue();
  }

  private void assertDifferent(String question, String candidate, String reasonStart) {
    MeaningGuard.Verdict verdict = guard.compare(question, candidate);
    assertThat(verdict.sameMeaning()).as("%s | %s", question, candidate).isFalse();
    assertThat(verdict.reason()).startsWith(reasonStart);
    assertThat(guard.compare(candidate, question).sameMeaning()).as("%s | %s reversed", candidate, question).isFalse();
  }

  /** Verifies that a question matches itself and its variants in case, punctuation and spacing. */
  @Test
  void compare_caseAndPunctuationVariants_same() {
    assertThat(guard.compare("Are you open on Sunday?", "Are you open on Sunday?"))
        .isEqualTo(new MeaningGuard.Verdict(true, "same anchors"));
    assertSame("What are your opening hours?", "what are your opening hours");
    assertSame("HOW DO I RESET MY PASSWORD?!", "how do i reset my password");
    assertSame("How Do I Reset My Password", "How do I reset my password?");
    assertSame("Do you ship to Paris?", "do you ship to paris");
  }

  /** Verifies that different numbers reject, with the reason in the form metrics use. */
  @Test
  void compare_numbers() {
    assertThat(guard.compare("Is shipping free on orders over $200?", "Is shipping free on orders over $300?").reason())
        .isEqualTo("numbers differ: 200 vs 300");
    assertDifferent("Can I check in at 2pm?", "Can I check in at 11am?", "numbers differ");
    assertDifferent("Does the 3rd floor have a meeting room?", "Does the 4th floor have a meeting room?",
        "numbers differ");
    assertDifferent("Is the second pair half price?", "Is the first pair half price?", "numbers differ");
    assertDifferent("How do I add 5 users?", "How do I add users?", "numbers differ");
    assertSame("Can I bring two bags?", "Can I bring 2 bags?");
    assertSame("Is the fee $1,000?", "Is the fee 1000 dollars?");
    assertSame("Does it cost 9.50?", "Does it cost 9.5?");
    assertSame("Is the meeting on the 3rd floor?", "Is the meeting on the third floor?");
    assertSame("Can I book a table at 7pm?", "Can I book a table at 7 pm?");
    assertSame("Do you close at 9?", "Do you close at 9pm?");
    assertSame("Is there a flight at 9:30pm?", "Is there a flight at 9:30 pm?");
    assertDifferent("does the 6am flight to Boston have wifi", "does the 6pm flight to Boston have wifi?",
        "numbers differ");
    assertDifferent("Is the pool open at 7 am?", "Is the pool open at 7 pm?", "numbers differ");
    assertDifferent("Is the desk open at 12am?", "Is the desk open at 12pm?", "numbers differ");
    assertSame("Which one should I buy?", "Which should I buy?");
  }

  /** Verifies that product codes must match, however they are spaced or hyphenated. */
  @Test
  void compare_productCodes() {
    assertThat(guard.compare("Is the X200 waterproof?", "Is the X300 waterproof?").reason())
        .isEqualTo("product codes differ: x200 vs x300");
    assertDifferent("Can I print A3 on this printer?", "Can I print A4 on this printer?", "product codes differ");
    assertDifferent("Does the 5G plan work here?", "Does the 4G plan work here?", "product codes differ");
    assertDifferent("Does the Pixel 8 charge wirelessly?", "Does the Pixel 9 charge wirelessly?",
        "product codes differ");
    assertSame("Is the T-1000 in stock?", "Is the T1000 in stock?");
    assertSame("Does the iPhone 15 have USB-C?", "Does the iphone15 have usb-c?");
    assertSame("What is the battery life of the Galaxy S23?", "What is the battery life of the S23?");
  }

  /** Verifies that capitalized words inside a sentence must occur in the other question, in any case. */
  @Test
  void compare_names() {
    assertThat(guard.compare("Can I pay with PayPal?", "Can I pay with Klarna?").reason())
        .isEqualTo("names differ: paypal vs klarna");
    assertDifferent("Can I see Dr. Patel tomorrow?", "Can I see Dr. Nguyen tomorrow?", "names differ");
    assertDifferent("Does it integrate with Slack?", "Does it integrate with chat apps?", "names differ");
    assertSame("Can I pay with PayPal?", "can i pay with paypal");
    assertSame("Is Dr. Patel available?", "Is Dr Patel available?");
    assertSame("Where is my order? I placed it yesterday.", "I placed an order yesterday. Where is my order?");
  }

  /** Verifies that weekdays, weekend and relative days must match; plurals do not matter. */
  @Test
  void compare_days() {
    assertThat(guard.compare("Are you open on Saturday?", "Are you open on Sunday?").reason())
        .isEqualTo("days differ: saturday vs sunday");
    assertDifferent("Do you deliver on weekends?", "Do you deliver on weekdays?", "days differ");
    assertDifferent("Can I pick up my order today?", "Can I pick up my order tomorrow?", "days differ");
    assertDifferent("Are you open on Sunday?", "Are you open?", "days differ");
    assertSame("Are you open on Sundays?", "Are you open on sunday?");
  }

  /** Verifies that months and seasons must match, and that "may" counts only as a month. */
  @Test
  void compare_months() {
    assertDifferent("Are you open in December?", "Are you open in January?", "months differ");
    assertDifferent("Is the pool open in summer?", "Is the pool open in winter?", "months differ");
    assertDifferent("Can I file my taxes in May?", "Can I file my taxes in June?", "months differ");
    assertSame("May I bring my dog?", "Can I bring my dog?");
    assertSame("Is the invoice for March ready?", "Is the March invoice ready?");
  }

  /** Verifies that billing periods must match however they are written, and durations are not periods. */
  @Test
  void compare_periods() {
    assertThat(guard.compare("How much is the Pro plan per month?", "How much is the Pro plan per year?").reason())
        .isEqualTo("periods differ: month vs year");
    assertDifferent("Is it billed monthly?", "Is it billed annually?", "periods differ");
    assertDifferent("How much does it cost a week?", "How much does it cost a day?", "periods differ");
    assertDifferent("How much does the Pro plan cost per month?", "How much does the Pro plan cost?", "periods differ");
    assertSame("Is it $10 a month?", "Is it $10 per month?");
    assertSame("Is it $10/month?", "Is it 10 dollars monthly?");
    assertSame("What is the yearly fee?", "What is the annual fee?");
    assertSame("Can I cancel within a month of buying?", "Can I cancel within a month of buying it?");
  }

  /** Verifies that places must match, including ones written in lower case and common aliases. */
  @Test
  void compare_places() {
    assertThat(guard.compare("Do you ship to canada?", "Do you ship to mexico?").reason())
        .isEqualTo("places differ: canada vs mexico");
    assertDifferent("Is there a store in new york?", "Is there a store in boston?", "places differ");
    assertDifferent("Do you deliver to the UK?", "Do you deliver?", "places differ");
    assertSame("Do you ship to the US?", "Do you ship to the USA?");
    assertSame("Do you ship to the United Kingdom?", "Do you ship to the UK?");
    assertSame("Can you send us the invoice?", "Can you send the invoice to us?");
  }

  /** Verifies that polarity must match: not, n't, no, never, without, non-. */
  @Test
  void compare_negation() {
    assertThat(guard.compare("Is the X200 waterproof?", "Is the X200 not waterproof?").reason())
        .isEqualTo("polarity differs: affirmative vs negated");
    assertDifferent("Which products contain nuts?", "Which products don't contain nuts?", "polarity differs");
    assertDifferent("Should I take it with food?", "Should I take it without food?", "polarity differs");
    assertDifferent("Are the fees refundable?", "Are the fees non-refundable?", "polarity differs");
    assertDifferent("What if I attended the class?", "What if I never attended the class?", "polarity differs");
    assertSame("Why can't I log in?", "Why cannot I log in?");
    assertSame("Why doesn't my card work?", "Why does my card not work?");
    assertSame("Where is order no. 12345?", "Where is order 12345?");
  }

  /** Verifies that opposite words reject, both against each other and, for the strict ones, against neither. */
  @Test
  void compare_opposites() {
    assertThat(guard.compare("How do I import contacts?", "How do I export contacts?").reason())
        .isEqualTo("opposites differ: import vs export");
    assertDifferent("How do I upgrade my plan?", "How do I downgrade my plan?", "opposites differ");
    assertDifferent("How do I enable notifications?", "How do I turn off notifications?", "opposites differ");
    assertDifferent("I can't log in.", "I can't log out.", "opposites differ");
    assertDifferent("What is the minimum order?", "What is the maximum order?", "opposites differ");
    assertDifferent("Can I pay before delivery?", "Can I pay after delivery?", "opposites differ");
    assertDifferent("What is the cheapest plan?", "What is the most expensive plan?", "opposites differ");
    assertDifferent("Can I buy shares?", "Can I sell shares?", "opposites differ");
    assertDifferent("What time does the flight arrive?", "What time does the flight depart?", "opposites differ");
    assertDifferent("How do I export my data?", "How do I get my data?", "opposites differ");
    assertSame("How do I disable notifications?", "How do I turn off notifications?");
    assertSame("Why can't I log in?", "Why can't I login?");
    assertSame("When does the store open?", "What are the store's opening hours?");
    assertSame("When will my order arrive?", "When will I get my order?");
  }

  /** Verifies that questions differing in just one content word each are told apart, and rewordings are not. */
  @Test
  void compare_subjects() {
    assertThat(guard.compare("How do I cancel my order?", "How do I cancel my subscription?").reason())
        .isEqualTo("subjects differ: order vs subscription");
    assertDifferent("How do I report a lost card?", "How do I report a stolen card?", "subjects differ");
    assertSame("How do I cancel my order?", "How can I cancel the order?");
    assertSame("Can I get a refund for a cancelled flight?", "Can I get a refund for a canceled flight?");
    assertSame("How do I track my package?", "Where can I see where my parcel is?");
  }

  /** Verifies that a one-word swap is accepted when WordNet lists the words as synonyms, or they are one family. */
  @Test
  void compare_subjectSynonyms_same() {
    assertSame("How much does the black X200 cost?", "What is the price of the black X200?");
    assertSame("Can I choose my seat?", "Is seat selection possible?");
    assertSame("What is the phone number for support?", "What number do I call for support?");
    assertSame("Can I get a refund for my concert ticket?", "Are concert tickets refundable?");
  }

  /** Verifies that words WordNet does not make synonyms (co-hyponyms, related actions) still differ. */
  @Test
  void compare_subjectNonSynonyms_stillDiffer() {
    assertDifferent("How do I apply for a loan?", "How do I apply for a mortgage?", "subjects differ");
    assertDifferent("How do I reset my router?", "How do I reset my modem?", "subjects differ");
    assertDifferent("Can I return a gift?", "Can I exchange a gift?", "subjects differ");
    assertDifferent("How do I request a refund?", "How do I request an exchange?", "subjects differ");
    assertDifferent("How do I report a missing package?", "How do I report a damaged package?", "subjects differ");
  }

  /**
   * Verifies that a one-word subject swap is final in a minimal edit, and only a doubt, which a high
   * cosine may overrule, when the rest of the question is reworded too.
   */
  @Test
  void compare_subjectSwapInRewording_isOnlyADoubt() {
    MeaningGuard.Verdict minimal = guard.compare("How do I reset my router?", "How do I reset my modem?");
    assertThat(minimal.sameMeaning()).isFalse();
    assertThat(minimal.doubtOnly()).isFalse();
    MeaningGuard.Verdict reworded = guard.compare("How do I set up voicemail?", "How can I configure my voicemail?");
    assertThat(reworded.sameMeaning()).isFalse();
    assertThat(reworded.doubtOnly()).as(reworded.reason()).isTrue();
    assertThat(reworded.reason()).startsWith("subjects differ in rewording");
    assertThat(guard.compare("How can I configure my voicemail?", "How do I set up voicemail?").doubtOnly()).isTrue();
  }

  /** Verifies that a minimal edit swapping two words, not synonyms, differs too. */
  @Test
  void compare_twoWordSwapInMinimalEdit_differs() {
    assertDifferent("How do I contact customer support?", "How do I contact the sales team?", "subjects differ");
    assertDifferent("Can I get a refund on shipping costs?", "Can I get a refund on customs fees?", "subjects differ");
  }

  /** Verifies that asking the way to do something is answered by where or whether, not by who. */
  @Test
  void compare_askedForTheWay() {
    assertDifferent("How do I request time off?", "Who approves my time-off requests?", "asked for differs");
    assertSame("How do I track my package?", "Where can I see where my parcel is?");
    assertSame("How do I add a signature to my emails?", "Can I add a signature to my emails?");
    assertDifferent("Is there parking?", "Where can I park?", "asked for differs");
  }

  /** Verifies that opposites other than import/export and upgrade/downgrade reject only against each other. */
  @Test
  void compare_conflictingOpposites_oneSideAgainstNone_same() {
    assertSame("What time does the pharmacy close?", "When does the pharmacy shut?");
    assertSame("How early should I get to the airport?", "When should I be at the airport before my flight?");
    assertSame("Can I change my order after placing it?", "Is it possible to modify an order I already placed?");
    assertDifferent("How do I open a joint account?", "How do I close a joint account?", "opposites differ");
    assertDifferent("How do I start my free trial?", "How do I stop my free trial?", "opposites differ");
    assertDifferent("How do I upgrade my plan?", "How do I change my plan?", "opposites differ");
  }

  /** Verifies that negation rejects when it applies to a word of the other question, and not otherwise. */
  @Test
  void compare_negationScope() {
    assertSame("My promo code isn't working.", "The coupon code I entered was rejected.");
    assertSame("How do I cancel my appointment?", "I can't make my appointment, how do I cancel it?");
    assertDifferent("Can I return an item without a receipt?", "Can I return an item with a receipt?",
        "polarity differs");
    assertDifferent("Is the pool heated?", "Is the pool not heated?", "polarity differs");
    assertDifferent("Is anything included?", "Is nothing included?", "polarity differs");
  }

  /** Verifies that number words against none are plain English, digits against none are not. */
  @Test
  void compare_numberWordsAgainstNone() {
    assertSame("My order arrived with a missing item.", "One item was missing from my package.");
    assertSame("Why was I charged twice?", "I see two identical charges on my card.");
    assertDifferent("How do I add 5 users?", "How do I add users?", "numbers differ");
    assertDifferent("Can I bring two bags?", "Can I bring three bags?", "numbers differ");
  }

  /** Verifies that questions asking for different kinds of answer differ. */
  @Test
  void compare_askedFor() {
    assertDifferent("How much does a haircut cost?", "How long does a haircut take?", "asked for differs");
    assertDifferent("Do you ship to Canada?", "How much does shipping to Canada cost?", "asked for differs");
    assertDifferent("When will I get my refund?", "Why was my refund smaller than expected?", "asked for differs");
    assertSame("When will I get my refund?", "How long does it take to receive my refund?");
    assertSame("How long does shipping take?", "How many days until my order arrives?");
  }

  /**
   * Verifies that chat shorthand reads as what it stands for: "u" as "you" (so the questions are
   * the same), "doesnt" as a negation (so it still differs from the affirmative question).
   */
  @Test
  void compare_chatShorthand_readAsWritten() {
    assertSame("can u ship to Canada", "Can you ship to Canada?");
    assertSame("wheres my order", "Where is my order?");
    assertDifferent("my card doesnt work abroad", "my card works abroad", "polarity differs");
    assertDifferent("is it waterproof", "it isnt waterproof?", "polarity differs");
  }

  /**
   * Verifies that a word that is no word of the language, one letter from a word of the other
   * question, is taken for its typo, while two real words one letter apart still differ.
   */
  @Test
  void compare_typos_sameButRealWordsStillDiffer() {
    assertSame("can i cancle my order", "Can I cancel my order?");
    assertSame("does this laptop have a backlit keybaord", "Does this laptop have a backlit keyboard?");
    assertSame("why is my acount blocked", "Why is my account blocked?");
    assertDifferent("Can I cancel my order?", "Can I cancel my border?", "subjects differ");
    assertDifferent("Can I return the coat?", "Can I return the boat?", "subjects differ");
    // two words neither of which is a word of the language (names, as brands are) are not typos
    assertDifferent("Can I pay with zelle?", "Can I pay with zella?", "subjects differ");
  }

  /** Verifies that words listed as used for one another (synonyms.txt) are no change of subject. */
  @Test
  void compare_listedSynonyms_same() {
    assertSame("Can I get a receipt for my order?", "Can I get an invoice for my order?");
    assertSame("Is there a size limit for suitcases?", "Is there a size limit for luggage?");
    assertDifferent("Can I get a receipt for my order?", "Can I get a refund for my order?", "subjects differ");
  }

  /** Verifies that one thing going one way in one question and the other way in the other differs. */
  @Test
  void compare_directions_differ() {
    assertDifferent("do you ship from the UK?", "do you ship to the UK", "directions differ");
    assertDifferent("how do I transfer files from my phone to the laptop",
        "how do I transfer files from the laptop to my phone?", "directions differ");
    assertSame("can I send money to my friend", "how do I send money to a friend?");
    // "to" before a verb says what one wants to do, not where something goes
    assertSame("I want to return an item, can I get a refund?", "can I get a refund from a return?");
  }

  /** Verifies the counterparts issue 19 names: in against out, first against last. */
  @Test
  void compare_inOutFirstLast_differ() {
    assertDifferent("How do I opt in to text alerts?", "How do I opt out of text alerts?", "opposites differ");
    assertDifferent("do you allow pets on flights into the UK", "do you allow pets on flights out of the UK?",
        "opposites differ");
    assertDifferent("What time is the first class on Fridays?", "What time is the last class on Fridays?",
        "opposites differ");
    // in and out of a phrase are not directions: filling in a form is filling it out
    assertSame("How do I fill in the claim form?", "How do I fill out the claim form?");
  }
}
