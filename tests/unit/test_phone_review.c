/*
 * test_phone_review.c - the review-threat and phone-demand categories of
 * the shipped rules/default.yaml, through the real pipeline (norm_text,
 * one scan, detect_run).
 *
 * A table of short customer sentences gives the distinct expressions
 * expected in each category and whether the decisive phone.only rule
 * matched: threats and reports of bad reviews and publicity; requests to
 * be called, for a number to call or for a person; refusals of written
 * contact; and the innocent uses that must stay silent (reviews read or
 * praised, numbers and calls described, requests not to be called,
 * call-backs the seller promised, calls to or from third parties).
 * A second table of whole messages checks the thresholds: two review
 * expressions, three phone requests or one refusal of e-mail.
 */
#include <glib.h>
#include <string.h>

#include "detect.h"
#include "harness.h"
#include "norm.h"
#include "rules.h"

/* Expressions expected per sentence; decisive = phone.only matched. */
static const struct {
	const char *text;
	unsigned review, phone;
	bool decisive;
} cases[] = {
	/* review threats and reports */
	{ "If this is not fixed by Friday I will leave a 1 star review.",
	    1, 0, false },
	{ "I'm going to leave a bad review on your Amazon listing.",
	    1, 0, false },
	{ "I will be leaving a review about this experience.", 1, 0, false },
	{ "I already left a review on Google.", 1, 0, false },
	{ "I have posted a review on Trustpilot.", 1, 0, false },
	{ "I'll post this on Facebook and Instagram so everyone can see.",
	    1, 0, false },
	{ "I am going to post about this on Reddit.", 1, 0, false },
	{ "I filed a complaint with the BBB today.", 1, 0, false },
	{ "I will report you to the Better Business Bureau.", 1, 0, false },
	{ "I have contacted the local news about your company.", 1, 0, false },
	{ "I'm going to tell everyone I know to stay away from your store.",
	    1, 0, false },
	{ "I will warn other buyers about this seller.", 1, 0, false },
	{ "Trust me, I will expose your scam.", 1, 0, false },
	{ "I'm going public with this.", 1, 0, false },
	{ "I will make this public.", 1, 0, false },
	{ "Let everyone know how bad your service is.", 1, 0, false },
	{ "I won't leave a bad review if this is fixed today.", 1, 0, false },
	{ "I'm not the type to leave bad reviews, but this was terrible.",
	    1, 0, false },
	{ "I would give zero stars if I could.", 1, 0, false },
	{ "You deserve a 1-star review.", 1, 0, false },
	{ "I'll be tweeting about this all day.", 1, 0, false },
	{ "I'm going to make a TikTok about this.", 1, 0, false },
	{ "I have 20k followers on Instagram and they will hear about this.",
	    1, 0, false },
	{ "Rest assured I will be writing a review on Yelp.", 1, 0, false },
	{ "I will update my review to one star.", 1, 0, false },
	{ "I'm changing my rating to 1 star.", 1, 0, false },
	{ "I will leave negative feedback on eBay.", 1, 0, false },
	{ "I contacted the BBB and the local TV station.", 2, 0, false },
	{ "This will be posted on all social media platforms.", 1, 0, false },
	{ "I'm writing this review to warn others.", 1, 0, false },
	{ "The world needs to know about this.", 1, 0, false },
	{ "People need to know how you treat customers.", 1, 0, false },
	{ "I will be sharing my experience on social media.", 1, 0, false },
	{ "Spread the word: do not buy here.", 1, 0, false },
	{ "I'm going to report this to Trustpilot.", 1, 0, false },
	{ "A bad review is coming your way.", 1, 0, false },
	{ "I rated you 1 star on the app store.", 1, 0, false },
	{ "I will post the photos online for everyone to see.", 1, 0, false },
	{ "Going to put you on blast on Twitter.", 1, 0, false },
	{ "I will contact the newspaper.", 1, 0, false },

	/* reviews read, praised, asked about or meant otherwise */
	{ "I read the reviews before buying and they were good.", 0, 0, false },
	{ "According to reviews, this is the best brand.", 0, 0, false },
	{ "The reviews said it runs small.", 0, 0, false },
	{ "I will definitely leave a good review!", 0, 0, false },
	{ "I left you a 5 star review.", 0, 0, false },
	{ "I had to tell everyone how great your service was.", 0, 0, false },
	{ "I'm so happy I had to tell everyone here.", 0, 0, false },
	{ "Despite the bad reviews I gave you a chance.", 0, 0, false },
	{ "How do I leave a review?", 0, 0, false },
	{ "You asked me to leave a review, where do I do that?", 0, 0, false },
	{ "Your BBB rating was A+ so I trusted you.", 0, 0, false },
	{ "I checked your Trustpilot page before ordering.", 0, 0, false },
	{ "I never write reviews.", 0, 0, false },
	{ "Please review my case and refund me.", 0, 0, false },
	{ "My order is under review.", 0, 0, false },
	{ "The bank submitted negative feedback to the credit reporting "
	  "agencies.",
	    0, 0, false },
	{ "I saw your ad on Facebook.", 0, 0, false },
	{ "I found you on Instagram.", 0, 0, false },
	{ "I saw this on the news.", 0, 0, false },
	{ "I got the news that my package was lost.", 0, 0, false },
	{ "I took the papers to the bank.", 0, 0, false },
	{ "The product was featured on TV.", 0, 0, false },
	{ "I will tell my husband about the delay.", 0, 0, false },
	{ "Five stars, would buy again.", 0, 0, false },
	{ "It is 5.0 out of 5 stars on your site.", 0, 0, false },
	{ "It has 4.5 stars on Amazon.", 0, 0, false },
	{ "One star short of perfect.", 0, 0, false },
	{ "Can you give me some feedback on my return?", 0, 0, false },
	{ "I want to give you some feedback about the packaging.",
	    0, 0, false },
	{ "I messaged you on Facebook but no reply.", 0, 0, false },
	{ "I tweeted you three times.", 0, 0, false },
	{ "I'll spread the word about this great shop!", 0, 0, false },
	{ "I tell all my friends to shop here, you are the best.",
	    0, 0, false },

	/* phone requests */
	{ "Please call me at 555-123-4567.", 0, 1, false },
	{ "Call me back as soon as possible.", 0, 1, false },
	{ "Can someone please call me?", 0, 1, false },
	{ "Could you give me a call tomorrow?", 0, 1, false },
	{ "I would appreciate it if someone could call me.", 0, 1, false },
	{ "I need someone to call me today.", 0, 1, false },
	{ "I asked them to call me back three times.", 0, 1, false },
	{ "I'd like a phone call about this.", 0, 1, false },
	{ "I requested a callback twice.", 0, 1, false },
	{ "I left three voicemails and nobody called me back.", 0, 1, false },
	{ "No one has returned my calls.", 0, 1, false },
	{ "What is your phone number?", 0, 1, false },
	{ "Is there a number I can call?", 0, 1, false },
	{ "Please send me a phone number to call.", 0, 1, false },
	{ "Why is there no phone number??", 0, 1, false },
	{ "I need to speak to a real person.", 0, 1, false },
	{ "I want to talk to someone about my order.", 0, 1, false },
	{ "Can I speak with a representative?", 0, 1, false },
	{ "Is there a human I can talk to?", 0, 1, false },
	{ "Let me speak to a live agent.", 0, 1, false },
	{ "How do I call you?", 0, 1, false },
	{ "How can I reach a real person?", 0, 1, false },
	{ "Connect me to a live person please.", 0, 1, false },
	{ "I am still waiting for a call back.", 0, 1, false },
	{ "I want to be called back today.", 0, 1, false },
	{ "You can reach me at 07700 900123.", 0, 1, false },
	{ "Please contact me by phone.", 0, 1, false },
	{ "Why won't anyone answer the phone?", 0, 1, false },
	{ "Hi, call me asap.", 0, 1, false },
	{ "Please Help! call me XXXX!", 0, 1, false },
	{ "I wanna speak with someone.", 0, 1, false },
	{ "I have left several messages for the supervisor asking for a call "
	  "back.",
	    0, 1, false },

	/* refusal of written contact (decisive) */
	{ "I will only deal with this by phone.", 0, 1, true },
	{ "I will not communicate by email anymore.", 0, 1, true },
	{ "I refuse to keep emailing you, call me.", 0, 2, true },
	{ "I will only communicate over the phone.", 0, 1, true },
	{ "Please contact me by phone only.", 0, 1, true },
	{ "A phone call is the only way to resolve this.", 0, 1, true },
	{ "Do not email me, just call me.", 0, 1, true },
	{ "I won't discuss this by email.", 0, 1, true },
	{ "I'm done emailing, call me.", 0, 1, true },

	/* phone numbers and calls described, refused or third-party */
	{ "I called the customer service number on the back of my card.",
	    0, 0, false },
	{ "Your support number is on the website.", 0, 0, false },
	{ "There is no phone number on your site.", 0, 0, false },
	{ "You don't even have a customer service number.", 0, 0, false },
	{ "Please don't call me, email is better.", 0, 0, false },
	{ "Do not call me at work.", 0, 0, false },
	{ "No need to call me back.", 0, 0, false },
	{ "They said they would call me back.", 0, 0, false },
	{ "The agent promised to call me back tomorrow.", 0, 0, false },
	{ "The collector keeps calling me at work.", 0, 0, false },
	{ "I use headset to call my wife and ask my wife to use headset to "
	  "call me !2.",
	    0, 0, false },
	{ "Please contact me when the item ships.", 0, 0, false },
	{ "DM me for details.", 0, 0, false },
	{ "I called and spoke to a representative.", 0, 0, false },
	{ "I asked to speak to a supervisor.", 0, 0, false },
	{ "I asked to speak to someone higher than her manager.", 0, 0, false },
	{ "I asked to speak with someone with more authority.", 0, 0, false },
	{ "I updated my phone number in my account.", 0, 0, false },
	{ "Call me crazy, but I expected it by now.", 0, 0, false },
	{ "I had to call my bank.", 0, 0, false },
	{ "Please call the courier.", 0, 0, false },
	{ "They gave me a number to call.", 0, 0, false },
	{ "It does not provide a customer service number so you can talk to a "
	  "live agent.",
	    0, 0, false },
	{ "I revoke consent to contact me by phone.", 0, 0, false },
	{ "I don't want a phone call, just a refund.", 0, 0, false },
	{ "The phone case arrived broken.", 0, 0, false },
	{ "This charger works with phone only.", 0, 0, false },
	{ "Refunds can be requested only by phone according to your policy.",
	    0, 0, false },
	{ "Your last email is unacceptable.", 0, 0, false },
	{ "I tried calling but the line was busy.", 0, 0, false },
	{ "I never got my refund back.", 0, 0, false },
	{ "They never got back to me.", 0, 0, false },

	/* complaint narratives: requests made, reported and described */
	{ "I have called numerous times and left voicemails but no one has "
	  "called me back.",
	    0, 1, false },
	{ "I requested to speak with a representative and was put on hold for "
	  "an hour.",
	    0, 1, false },
	{ "I asked for a call back from the fraud department and never "
	  "received one.",
	    0, 1, false },
	{ "I was told someone would call me within 48 hours. No one ever did.",
	    0, 0, false },
	{ "They continue to call me at work even after I asked them to stop.",
	    0, 0, false },
	{ "I have been trying to reach a real person for weeks.", 0, 0, false },
	{ "I demanded to speak with someone who could help me.", 0, 1, false },
	{ "I would like to speak with someone regarding this matter.",
	    0, 1, false },
	{ "I have requested a phone call multiple times.", 0, 1, false },
	{ "Please have someone call me at your earliest convenience.",
	    0, 1, false },
	{ "I can be reached at 555-555-5555.", 0, 0, false },
	{ "My phone number is 555-555-5555.", 0, 0, false },
	{ "I received a call from a debt collector.", 0, 0, false },
	{ "They call me several times a day.", 0, 0, false },
	{ "She said she would call me back but never did.", 0, 0, false },
	{ "I was promised a call back that never came.", 0, 0, false },
	{ "I called customer service twice and was hung up on.", 0, 0, false },
	{ "I would like a supervisor to call me.", 0, 1, false },
	{ "The representative told me to call back later.", 0, 0, false },
	{ "I asked the agent to have a supervisor call me.", 0, 1, false },
	{ "I asked the representative for a phone number for the executive "
	  "office.",
	    0, 1, false },

	/* short public-support messages */
	{ "@ShopHelp why is it impossible to talk to a human??", 0, 0, false },
	{ "@ShopHelp can I please talk to a real person", 0, 1, false },
	{ "@Shop_Support give me a number to call", 0, 1, false },
	{ "@ShopCare what's the number to call for returns?", 0, 1, false },
	{ "@ShopCare pick up the phone!!!", 0, 0, false },
	{ "@ShopCare why won't anyone pick up the phone", 0, 1, false },
	{ "@ShopCare DM me", 0, 0, false },
	{ "@ShopCare sent you a DM with my phone number", 0, 0, false },
	{ "@ShopSupport I'm going to tweet this every day until you fix it",
	    1, 0, false },
	{ "@ShopSupport tweeting about this until someone responds",
	    1, 0, false },
	{ "@shop_support this is going viral", 1, 0, false },
	{ "@ShopCare y'all better fix this or I'm telling everyone",
	    1, 0, false },
	{ "@ShopHelp Amazon refusing my 1 star review", 1, 0, false },
	{ "@ShopCare sorry I rated you 1 star on iTunes", 1, 0, false },

	/* review-site style: ratings, praise, habits */
	{ "Worst service ever. I would give zero stars if that was an option.",
	    1, 0, false },
	{ "One star for the food, zero for the service.", 1, 0, false },
	{ "I rarely write reviews but I had to share this.", 0, 0, false },
	{ "I'm writing this review so others know what to expect.",
	    1, 0, false },
	{ "I will never be back and I will tell all my friends.", 1, 0, false },
	{ "I'll definitely be telling my friends about this place!",
	    0, 0, false },
	{ "5 stars all the way!", 0, 0, false },
	{ "I will be posting this review everywhere.", 1, 0, false },
	{ "Don't waste your money here.", 0, 0, false },
	{ "Yelp reviews were great so we tried it.", 0, 0, false },

	/* marketplace threats and reports */
	{ "If I don't get a refund I will open a case and leave negative "
	  "feedback.",
	    1, 0, false },
	{ "Your product page deserves a warning to other buyers.",
	    1, 0, false },
	{ "I have screenshots and I will post them on Facebook.", 0, 0, false },
	{ "I will post them on Facebook.", 0, 0, false },
	{ "I am going to share these screenshots on Twitter.", 1, 0, false },
	{ "I will file a complaint with the Better Business Bureau and "
	  "Trustpilot.",
	    2, 0, false },
	{ "I've already complained to the BBB.", 1, 0, false },
	{ "I will let my 50k followers know.", 1, 0, false },
	{ "I'm a journalist and I will write about this.", 0, 0, false },
	{ "I'll report this to the media.", 1, 0, false },

	/* idioms, third parties, the press and named sites */
	{ "You called me a liar on the phone.", 0, 0, false },
	{ "Call me by my first name please.", 0, 0, false },
	{ "They tried to reach me by phone but I was at work.", 0, 0, false },
	{ "The agent failed to call me back as promised.", 0, 0, false },
	{ "Please text me at 555 1234.", 0, 1, false },
	{ "Call or text me anytime.", 0, 1, false },
	{ "Can we talk on the phone?", 0, 1, false },
	{ "I'd rather discuss this over the phone.", 0, 1, false },
	{ "How do I get in touch with a real person?", 0, 1, false },
	{ "You should provide a phone number on your website.", 0, 0, false },
	{ "Y'all really need to get your shit together and get a customer "
	  "service phone #",
	    0, 0, false },
	{ "Need a callback asap", 0, 1, false },
	{ "Can we schedule a call?", 0, 1, false },
	{ "Everyone should know", 1, 0, false },
	{ "I'm going to write a blog post about this.", 1, 0, false },
	{ "Is there a real person reading these emails?", 0, 0, false },
	{ "I'd like to speak to someone in charge.", 0, 0, false },
	{ "Is it possible to speak to someone in charge?", 0, 0, false },
	{ "Let me talk to your supervisor.", 0, 0, false },
	{ "My wife will call you tomorrow.", 0, 0, false },
	{ "I will call you tomorrow.", 0, 0, false },
	{ "I'll give you a call later today.", 0, 0, false },
	{ "Please call me if you need anything else, thanks!", 0, 1, false },
	{ "My phone broke so email only please.", 0, 0, false },
	{ "I prefer email, please don't phone.", 0, 0, false },
	{ "Don't bother calling, I won't answer.", 0, 0, false },
	{ "I don't have a phone, please email me.", 0, 0, false },
	{ "I'm deaf so please contact me by email only.", 0, 0, false },
	{ "The product only works by phone app.", 0, 0, false },
	{ "I ordered a phone case and a charger.", 0, 0, false },
	{ "Your agent asked for my phone number.", 0, 0, false },
	{ "Please update my phone number to 555-1234.", 0, 0, false },
	{ "I gave a review of the product to my friend.", 0, 0, false },
	{ "I will give it a try.", 0, 0, false },
	{ "The item has great reviews.", 0, 0, false },
	{ "I wrote to you on Facebook last week.", 0, 0, false },
	{ "I posted a question on your Facebook page.", 0, 0, false },
	{ "I shared my order number on Twitter by mistake.", 0, 0, false },
	{ "I need to speak to my bank first.", 0, 0, false },
	{ "I told my friends I would get it by Christmas.", 0, 0, false },
	{ "I told everyone at work about the sale.", 1, 0, false },
	{ "We were warned by other customers.", 0, 0, false },
	{ "Warning: the box was damaged.", 0, 0, false },
	{ "It went viral on TikTok, that's how I found you.", 0, 0, false },
	{ "This seller is going to get a bad review from me.", 1, 0, false },
	{ "I'll be giving this company a one-star rating.", 1, 0, false },
	{ "I'll rate you accordingly.", 1, 0, false },
	{ "Google reviews will hear about this.", 1, 0, false },
	{ "I'll be in touch with the consumer watchdog.", 1, 0, false },
	{ "I am writing to the local paper.", 1, 0, false },
	{ "I'm going to contact Channel 4 news.", 1, 0, false },
	{ "I'm calling the news.", 1, 0, false },

	/* complaint sites, requests for a human, unanswered call-backs */
	{ "I have also filed complaints with the Better Business Bureau.",
	    1, 0, false },
	{ "The BBB closed my complaint without a resolution.", 1, 0, false },
	{ "I posted my complaint on BBB.org.", 1, 0, false },
	{ "I will be contacting my local news station.", 1, 0, false },
	{ "I posted my experience online.", 1, 0, false },
	{ "I'm going to put this all over social media.", 1, 0, false },
	{ "I will be leaving reviews everywhere.", 1, 0, false },
	{ "I have written reviews on Yelp and Google.", 1, 0, false },
	{ "@XCare please call me", 0, 1, false },
	{ "@XCare call me pls", 0, 1, false },
	{ "@XCare I need to talk to someone asap", 0, 1, false },
	{ "@XCare can you have someone call me", 0, 1, false },
	{ "@XCare been on hold for hours, can someone call me back?",
	    0, 1, false },
	{ "@XCare do you have a number I can call", 0, 1, false },
	{ "@XCare how do I contact customer service by phone", 0, 1, false },
	{ "@XCare is there a phone number for customer service", 0, 1, false },
	{ "I prefer to be contacted by phone.", 0, 1, false },
	{ "I do not want to be contacted by phone, only in writing.",
	    0, 0, false },
	{ "All communication must be in writing.", 0, 0, false },
	{ "Please communicate with me in writing only.", 0, 0, false },
	{ "I want this in writing.", 0, 0, false },
	{ "I have been calling every day and nobody picks up.", 0, 0, false },
	{ "I called back three times.", 0, 0, false },
	{ "I was on the phone for two hours.", 0, 0, false },
	{ "Please have a manager call me back.", 0, 1, false },
	{ "Have your supervisor call me.", 0, 1, false },
	{ "I would like a call from a manager.", 0, 1, false },
	{ "I need to speak with a live person, not a bot.", 0, 1, false },
	{ "Your chatbot is useless, I want a human.", 0, 1, false },
	{ "Get me a human!", 0, 1, false },
	{ "Representative please!", 0, 1, false },
	{ "Customer service rep please call me at 555-0199.", 0, 1, false },
	{ "I'm requesting a phone call from someone in your billing "
	  "department.",
	    0, 1, false },
	{ "They told me to call back tomorrow.", 0, 0, false },
	{ "I'll call back tomorrow.", 0, 0, false },
	{ "I have called your support line multiple times.", 0, 0, false },
	{ "I left a message on your website contact form.", 0, 0, false },
	{ "I left a message with your chat agent.", 0, 0, false },
	{ "I left a voicemail.", 0, 1, false },

	/* one act told twice is one expression */
	{ "I sent messages but nobody replied.", 0, 0, false },

	/* calls requested in other words, and more innocent uses */
	{ "I have reached out to them multiple times via phone and email with "
	  "no response.",
	    0, 0, false },
	{ "I requested that they call me to discuss the matter.", 0, 1, false },
	{ "I asked to speak to someone in the fraud department.", 0, 1, false },
	{ "Each time I call I am told someone will call me back within 24 "
	  "hours.",
	    0, 0, false },
	{ "I have asked numerous times for a call back from a supervisor.",
	    0, 1, false },
	{ "I am requesting a call from someone who can actually help.",
	    0, 1, false },
	{ "Someone needs to call me today.", 0, 1, false },
	{ "You need to call me.", 0, 1, false },
	{ "I expect a phone call from your manager by tomorrow.", 0, 1, false },
	{ "Why has nobody called me back?", 0, 1, false },
	{ "It's been a week and no one has called me back.", 0, 1, false },
	{ "Still no call back.", 0, 1, false },
	{ "I'm still waiting on a call back.", 0, 1, false },
	{ "I'm still waiting for someone to call me back.", 0, 1, false },
	{ "Can I get a call back please?", 0, 1, false },
	{ "A call back would be appreciated.", 0, 1, false },
	{ "Please ring me on 07700 900123.", 0, 1, false },
	{ "Do you have a customer service number?", 0, 1, false },
	{ "Where can I find your phone number?", 0, 1, false },
	{ "Can you give me the number for your warehouse?", 0, 0, false },
	{ "Give me a phone number!", 0, 1, false },
	{ "I want a phone number, not another email.", 0, 1, false },
	{ "I need to talk to a human being.", 0, 1, false },
	{ "Let me talk to a human.", 0, 1, false },
	{ "I would like to talk to an actual person.", 0, 1, false },
	{ "I want to speak with someone on the phone.", 0, 1, false },
	{ "Please have someone from your team reach out to me by phone.",
	    0, 0, false },
	{ "I will be posting my experience on every review site I can find.",
	    1, 0, false },
	{ "I will leave a review on every platform.", 1, 0, false },
	{ "I'm going to leave reviews on Google and Yelp.", 1, 0, false },
	{ "I'll be telling my story on Facebook.", 0, 0, false },
	{ "Everyone on Facebook will know about this.", 1, 0, false },
	{ "I've shared this on my Facebook page.", 1, 0, false },
	{ "I've written to the newspaper.", 1, 0, false },
	{ "I've contacted a reporter at the local paper.", 1, 0, false },
	{ "Consumer watchdog will hear about this.", 0, 0, false },
	{ "I will be filing a complaint with the BBB and leaving a review on "
	  "Google.",
	    2, 0, false },
	{ "I am reporting this to the Better Business Bureau.", 1, 0, false },
	{ "BBB complaint filed.", 1, 0, false },
	{ "I'm giving this a 1 star review.", 1, 0, false },
	{ "Zero stars.", 1, 0, false },
	{ "Would give negative stars if possible.", 1, 0, false },
	{ "This deserves no stars.", 1, 0, false },
	{ "I had to post this review to warn others.", 1, 0, false },
	{ "Buyer beware.", 0, 0, false },
	{ "I will make sure everyone knows what kind of company you are.",
	    1, 0, false },
	{ "I'm going to make sure nobody ever buys from you again.",
	    1, 0, false },
	{ "Don't make me go to social media.", 0, 0, false },

	/* calls and reviews described, promised, or meant otherwise */
	{ "The representative said a supervisor would call me back within 48 "
	  "hours.",
	    0, 0, false },
	{ "I was told that I would receive a call back within 3 business "
	  "days.",
	    0, 0, false },
	{ "They called me back the next day and said the refund was "
	  "processed.",
	    0, 0, false },
	{ "The agent called me back and apologized.", 0, 0, false },
	{ "I got a call back from the manager yesterday, thank you.",
	    0, 0, false },
	{ "Thank you for calling me back so quickly.", 0, 0, false },
	{ "The collection agency keeps calling me and my family.",
	    0, 0, false },
	{ "They have been calling me every day for months.", 0, 0, false },
	{ "A man called me claiming to be from your company.", 0, 0, false },
	{ "I received a phone call from someone claiming to be from the bank.",
	    0, 0, false },
	{ "I spoke with a representative named John who was very helpful.",
	    0, 0, false },
	{ "I was on the phone with a live agent for an hour.", 0, 0, false },
	{ "The live agent told me to email you instead.", 0, 0, false },
	{ "I asked the representative why the charge was made.", 0, 0, false },
	{ "I called to speak with someone about my account and was told to "
	  "email.",
	    0, 0, false },
	{ "I would like to speak about the delay in my order.", 0, 0, false },
	{ "I would like to talk about my refund.", 0, 0, false },
	{ "Please let me know the status of my order.", 0, 0, false },
	{ "Let me know when you can ship it.", 0, 0, false },
	{ "Can you tell me where my package is?", 0, 0, false },
	{ "I need the tracking number please.", 0, 0, false },
	{ "What is your return address?", 0, 0, false },
	{ "Please send me the order number.", 0, 0, false },
	{ "My husband called you yesterday about this.", 0, 0, false },
	{ "I'll call you back when I get home.", 0, 0, false },
	{ "Call me when it ships? Actually an email is fine.", 0, 1, false },
	{ "My phone number has changed.", 0, 0, false },
	{ "Your number is not working.", 0, 0, false },
	{ "The phone I ordered doesn't turn on.", 0, 0, false },
	{ "Phone calls only go to voicemail.", 0, 0, false },
	{ "I tried your hotline and the helpline but nobody answered.",
	    0, 0, false },
	{ "We spoke on the phone last week.", 0, 0, false },
	{ "Thanks for the phone call earlier.", 0, 0, false },
	{ "I had a phone call with your team yesterday.", 0, 0, false },
	{ "I prefer email, thank you.", 0, 0, false },
	{ "Email is fine.", 0, 0, false },
	{ "I don't want to talk to anyone, just send the refund.",
	    0, 0, false },
	{ "There is no need to speak to a person, just fix it.", 0, 0, false },
	{ "The review process took too long.", 0, 0, false },
	{ "Please review the attached photos.", 0, 0, false },
	{ "I reviewed my statement and found a double charge.", 0, 0, false },
	{ "The product has a star pattern on it.", 0, 0, false },
	{ "I gave you my feedback last time.", 0, 0, false },
	{ "I posted the package back to you.", 0, 0, false },
	{ "I posted the item on Monday.", 0, 0, false },
	{ "I posted it yesterday by recorded delivery.", 0, 0, false },
	{ "I shared the tracking link with my wife.", 0, 0, false },
	{ "I told my friend about the sale.", 0, 0, false },
	{ "I told them everything I know.", 0, 0, false },
	{ "Please tell everyone in your team to stop calling me.",
	    0, 0, false },
	{ "I saw the news about your warehouse fire.", 0, 0, false },
	{ "The press release said shipping was delayed.", 0, 0, false },
	{ "I went to the post office.", 0, 0, false },
	{ "I'll be honest, the review was fair.", 0, 0, false },
	{ "People are saying your site was hacked.", 0, 0, false },
	{ "My friends warned me not to order from you.", 0, 0, false },
	{ "Your competitors have better ratings.", 0, 0, false },

	/* praise told to others */
	{ "Let everyone know how great you are!", 0, 0, false },
	{ "I am writing this so people know how great this place is.",
	    0, 0, false },

	/* review sites read, and numbers requested or required */
	{ "I checked the reviews on Google before buying.", 0, 0, false },
	{ "The reviews on Google are bad.", 0, 0, false },
	{ "According to the ratings on Amazon it is a good product.",
	    0, 0, false },
	{ "I am requesting a phone number for your head office.", 0, 1, false },
	{ "The form requires a phone number.", 0, 0, false },
	{ "I will leave reviews on Google and Trustpilot.", 1, 0, false },

	/* formal invitations, short pleas and narrative detail */
	{ "Please do not hesitate to call me at 555-0100.", 0, 1, false },
	{ "Please feel free to call me if you have questions.", 0, 1, false },
	{ "@ShopCare DM'd you my number, please call.", 0, 1, false },
	{ "Please call the courier and find out where it is.", 0, 0, false },
	{ "I asked them to stop calling me.", 0, 0, false },
	{ "I asked that they not call me at work.", 0, 0, false },
	{ "I was told to call back in 10 days.", 0, 0, false },
	{ "I then called back and spoke to a supervisor.", 0, 0, false },
	{ "I asked for their phone number.", 0, 1, false },
	{ "The representative hung up on me when I asked to speak with a "
	  "supervisor.",
	    0, 0, false },
	{ "I asked for a supervisor and was told none were available, so I "
	  "requested a callback.",
	    0, 1, false },
	{ "Your customer service number doesn't work.", 0, 0, false },
	{ "I've been trying to call for 3 hours.", 0, 0, false },
	{ "I'll be writing to corporate and posting on Yelp.", 1, 0, false },
	{ "I am returning it and giving it one star.", 1, 0, false },
	{ "Customer service is unreachable by phone.", 0, 0, false },

	/* a call request with the number given counts once */
	{ "Please call me back. You can reach me at 555-0100.", 0, 1, false },
	{ "Please call me, my number is 555-0100.", 0, 1, false },

	/* sites where the writer found the seller */
	{ "I found you on Trustpilot and ordered right away.", 0, 0, false },
	{ "I came across your shop on TikTok.", 0, 0, false },

	/* more ways to threaten a review or ask for a call */
	{ "You will be hearing from the BBB.", 1, 0, false },
	{ "I'm going to leave you the worst review.", 1, 0, false },
	{ "My review will reflect this.", 1, 0, false },
	{ "I will be sure to rate accordingly.", 1, 0, false },
	{ "I'm going to share my experience with everyone.", 1, 0, false },
	{ "Other customers deserve to know.", 1, 0, false },
	{ "I will be posting this conversation on Twitter.", 1, 0, false },
	{ "Screenshots of this chat are going on Twitter.", 1, 0, false },
	{ "Please get someone to call me.", 0, 1, false },
	{ "I'm available by phone all day.", 0, 1, false },
	{ "My number is 555-0100, call anytime.", 0, 1, false },
	{ "Is anyone available to talk?", 0, 1, false },
	{ "I'd like to discuss this over the phone.", 0, 1, false },
	{ "Can you call my cell?", 0, 1, false },
	{ "Call back asap.", 0, 1, false },
	{ "I'll call my mobile provider tomorrow.", 0, 0, false },
	{ "The reviews from the BBB were mixed.", 0, 0, false },
	{ "That was the worst service I have had.", 0, 0, false },
	{ "I will review the contract and get back to you.", 0, 0, false },
	{ "My review of the manual: it's confusing.", 0, 0, false },
	{ "They will call back tomorrow.", 0, 0, false },
};

/* Whole messages: which of the two categories fire. */
static const struct {
	const char *text;
	bool review, phone;
} messages[] = {
	{ "I will leave a one-star review. I am also going to post the photos "
	  "on Facebook.", true, false },
	{ "If this is not fixed I will leave a bad review.", false, false },
	{ "I will post about this on Reddit and report you to the BBB.", true,
	    false },
	{ "I read the reviews, and your BBB rating looked fine. I will leave a "
	  "five-star review when it arrives.", false, false },
	{ "Please call me back. Is there a number I can call? I need to speak "
	  "to a real person.", false, true },
	{ "Please call me back. Is there a number I can call?", false, false },
	{ "I will not communicate by email any longer.", false, true },
	{ "I left three voicemails and nobody called me back. Please call "
	  "me.", false, false },
	{ "They said they would call me back. Do not call me at work. I "
	  "called the support number twice.", false, false },
	{ "Thanks! I'll tell all my friends how great you were and leave a "
	  "5 star review.", false, false },
};

/* Scans text into v (cleared first); returns the normalised text. */
static char *
scan(const struct ruleset *rs, struct rules_scratch *s, const char *text,
    const struct limits *lim, struct verdict *v, size_t *len)
{
	char *t = norm_text(text, strlen(text), len);

	verdict_init(v);
	detect_run(rs, s, t, *len, lim, v);
	return t;
}

int
main(void)
{
	struct ruleset *rs;
	struct rules_scratch *s;
	struct limits lim = { 1 << 20, 1 << 20, 8, 8, 100, 80, 5, 100 };
	int rc, pc;

	rs = harness_shipped_rules();
	if (rs == NULL)
		return harness_done("phone_review");
	rc = ruleset_cat_index(rs, "review-threat");
	pc = ruleset_cat_index(rs, "phone-demand");
	CHECK(rc >= 0 && pc >= 0, "the shipped rules have both categories");
	if (rc < 0 || pc < 0) {
		ruleset_free(rs);
		return harness_done("phone_review");
	}
	s = rules_scratch_new(rs);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct verdict v;
		const struct signal *rv, *ph;
		size_t len;
		char *t = scan(rs, s, cases[i].text, &lim, &v, &len);

		rv = &v.sig[rc];
		ph = &v.sig[pc];
		CHECK(rv->count == cases[i].review,
		    "'%s': %u review expressions, want %u", cases[i].text,
		    rv->count, cases[i].review);
		CHECK(ph->count == cases[i].phone,
		    "'%s': %u phone expressions, want %u", cases[i].text,
		    ph->count, cases[i].phone);
		CHECK(ph->decisive == cases[i].decisive,
		    "'%s': phone.only %s", cases[i].text,
		    cases[i].decisive ? "expected" : "unexpected");
		CHECK(rv->fired == (rv->count >= rv->threshold),
		    "'%s': review-threat fired", cases[i].text);
		CHECK(ph->fired == (ph->count >= ph->threshold ||
		    cases[i].decisive), "'%s': phone-demand fired",
		    cases[i].text);
		harness_check_evidence(rv, t, len, cases[i].text);
		harness_check_evidence(ph, t, len, cases[i].text);
		verdict_clear(&v);
		g_free(t);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(messages); i++) {
		struct verdict v;
		size_t len;
		char *t = scan(rs, s, messages[i].text, &lim, &v, &len);

		CHECK(v.sig[rc].fired == messages[i].review,
		    "'%s': review-threat %s", messages[i].text,
		    messages[i].review ? "fires" : "stays quiet");
		CHECK(v.sig[pc].fired == messages[i].phone,
		    "'%s': phone-demand %s", messages[i].text,
		    messages[i].phone ? "fires" : "stays quiet");
		verdict_clear(&v);
		g_free(t);
	}
	rules_scratch_free(s);
	ruleset_free(rs);
	return harness_done("phone_review");
}
