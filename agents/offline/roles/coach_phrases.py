"""Wording of the offline Coach: several variants per move, chosen deterministically per turn.

None of these sentences carries subject content: the economics in a reply comes only from the curriculum's
ladder questions, hints and misconception probes (which the curriculum validator checks never contain an
answer phrase) and from the student's own words.
"""

from __future__ import annotations

OPENINGS = (
    "Let's work through {title} together, one step at a time.",
    "Good, let's get {title} clear — I'll ask, you think out loud.",
    "Thanks for saying where you're stuck. We'll build {title} up from what you already know.",
    "Let's untangle {title} together. No need to be right first time — just tell me what you think.",
)
PRAISE_QUOTED = (
    "Yes — you said “{quote}”, and that's exactly the kind of thinking we need.",
    "Exactly: “{quote}”. You've put your finger on something important there.",
    "Good — when you say “{quote}”, you're getting right to the heart of it.",
    "That's it. “{quote}” — that's a key step, and you got there yourself.",
)
PRAISE_PLAIN = (
    "Yes — the way you just put that is exactly the kind of thinking we need.",
    "Good — you've got hold of an important part of this, in your own words.",
    "That's a key step, and you reached it yourself.",
)
BRIDGES = (
    "Let's build on that.",
    "Now let's take the next step.",
    "Here's the next piece to think about.",
    "Let's push a little further.",
)
BACK_TO_QUESTION = (
    "Now, back to the question from before:",
    "With that in hand, let's return to my earlier question:",
)
MISCONCEPTION_LEADS = (
    "I can see why that seems right — you said “{quote}”. Let's test it.",
    "Interesting — you said “{quote}”. Let's check whether that always holds.",
    "That's a very common way to see it (“{quote}”). Let's put it to the test.",
)
MISCONCEPTION_LEADS_PLAIN = (
    "I can see why that seems right. Let's test it.",
    "That's a very common way to see it. Let's check whether it always holds.",
)
MISCONCEPTION_AFTER_PRAISE = (
    "One part of what you said is worth testing, though.",
    "But let's check one piece of that more carefully.",
)
MISCONCEPTION_REPEAT = (
    "Let's look at that belief from a different side.",
    "Hold on to that thought for a moment and try it on a concrete case.",
)
HINT_LEADS = (
    "Let's take a smaller step.",
    "Here's a way in.",
    "Let's look at one part of it.",
    "Try it from this side.",
)
UNVERIFIED_LEADS = (
    "You said “{quote}”. Can you say why that happens?",
    "You said “{quote}” — talk me through it: what leads to what?",
    "I want to hear more about “{quote}”. Can you give me an example of it?",
    "“{quote}” — can you take that one step further?",
)
UNVERIFIED_LEADS_PLAIN = (
    "Say a bit more about that — why do you think so?",
    "Can you give me an example of what you mean?",
    "Talk me through your thinking one step at a time.",
)
RESTATED_LEADS = (
    "Yes — you've already got that part (“{quote}”). Let's use it.",
    "Right, that's the idea you reached earlier (“{quote}”). Now build on it.",
    "Agreed — you said that before and it still holds. Next piece:",
)
QUESTION_LEADS = (
    "Good question — you asked “{quote}”. Let's work it out together.",
    "That's exactly the right thing to ask (“{quote}”). Let's find out.",
    "You asked “{quote}” — let's answer it step by step.",
)
QUESTION_LEADS_PLAIN = (
    "Good question — let's work it out together.",
    "That's the right thing to ask. Let's find out.",
)
AFTER_PROBE_LEADS = (
    "Thanks for working through that — keep that example in mind.",
    "Good, hold on to what that example showed you.",
)
DONT_KNOW_LEADS = (
    "That's fine — not knowing yet is where learning starts.",
    "No problem at all; let's make it smaller.",
    "That's OK. Let's come at it from something you already know.",
)
NEW_ANGLE_LEADS = (
    "Let's come at this from a different direction.",
    "Let's try another way in.",
    "OK, let's leave that one for now and look at a related question.",
)
GAVE_UP_LEADS = (
    "I hear you — this one is tricky, and you've stuck with it so far. Let's make it much smaller.",
    "It's OK to feel stuck; that usually means you're close to something. One small step:",
)
ANSWER_REFUSALS = (
    (
        "I know it's tempting, but I won't just hand you the answer — you'll remember it far better if you build "
        "it yourself, and I'll help you every step."
    ),
    "I'd rather not give you the answer: in the exam it has to come from you, so let's get you there.",
    "I can't just tell you, but I can make it easier to work out. You're closer than you think.",
)
INJECTION_REFUSALS = (
    (
        "I can't do that — I'm your tutor for {title}, and I keep answers and mark schemes out of our chat so the "
        "thinking stays yours."
    ),
    "That's not something I'll do: my job is to help you work {title} out, not to reveal answers or marking.",
    "Nice try! I stay your tutor whatever the message says, and I don't share mark schemes. Back to {title}.",
)
OFF_TOPIC_LEADS = (
    "That sounds interesting, but let's keep our focus on {title} for now.",
    "Let's park that and come back to {title}.",
    "Let's save that for another time — right now let's stick with {title}.",
)
FOLLOW_UPS = (
    "With that in mind, what would you say now?",
    "So, what do you think?",
    "Taking that example, what do you notice?",
    "How would you answer now?",
)
GENERIC_QUESTIONS = (
    "Which part of this feels least clear to you right now?",
    "What do you already know about it — even a small piece?",
)
RESOLVED_CLOSINGS = (
    "Well done — you worked all of that out yourself.",
    "Brilliant work today — every key idea came from you.",
    "That's a real success: you reasoned your way through the whole topic.",
)
RESOLVED_TAILS = (
    (
        "That's a solid grasp of {title}. Try explaining it to a friend this week — teaching it is the best way to "
        "make it stick."
    ),
    "You now have {title} in your own words. A practice question in the next few days will lock it in.",
)
NEEDS_HELP_CLOSINGS = (
    (
        "You've put real effort in today{partial}. This topic needs a bit more time: go over it with your teacher, "
        "then try a practice question on {title} — it often clicks on a second look."
    ),
    (
        "Thank you for sticking with it{partial}. Let's not force it today: revisit {title} with your teacher and try "
        "one practice question afterwards. Coming back to it fresh really helps."
    ),
)
REFERRED_CLOSINGS = (
    "I've let your teacher know, and they'll pick this up with you soon. Thanks for telling me what you needed.",
    "Your teacher has been notified and will follow up with you. Thanks for saying what would help.",
)
OUT_OF_SCOPE_CLOSING = (
    "That topic is outside the economics syllabus I can coach, so I've passed it on to your teacher, who can "
    "help you with it directly. Thanks for asking."
)
OUT_OF_SCOPE_NO_TOOL = (
    "That topic is outside the economics syllabus I can coach, so your teacher is the best person to ask. "
    "Is there an economics topic you'd like to work on?"
)
NO_TOOL_REFERRAL = (
    "I can't contact your teacher from here, but please do ask them — that's a good call. Meanwhile, is there "
    "one small part of this you'd like to try together?"
)
