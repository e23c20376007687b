"""Skills of the default model (issue 11): fact tables, tool schemas, phrasings and the reasoning
formats. Shared by the training-data generator (gen_data.py) and the evaluation prompt writer
(eval_prompts.py) so both speak about the same tools and facts; the evaluation draws FRESH prompts
(another seed, held-out city names) from the same phrasing families."""
import random

# Capitals: (country, capital). Everything here is seen in training.
CAPITALS = [
    ("France", "Paris"), ("Germany", "Berlin"), ("Italy", "Rome"), ("Spain", "Madrid"),
    ("Portugal", "Lisbon"), ("Japan", "Tokyo"), ("China", "Beijing"), ("India", "New Delhi"),
    ("Brazil", "Brasilia"), ("Argentina", "Buenos Aires"), ("Canada", "Ottawa"),
    ("Mexico", "Mexico City"), ("Australia", "Canberra"), ("Egypt", "Cairo"), ("Kenya", "Nairobi"),
    ("Nigeria", "Abuja"), ("Russia", "Moscow"), ("Ukraine", "Kyiv"), ("Poland", "Warsaw"),
    ("Sweden", "Stockholm"), ("Norway", "Oslo"), ("Finland", "Helsinki"), ("Denmark", "Copenhagen"),
    ("Netherlands", "Amsterdam"), ("Belgium", "Brussels"), ("Austria", "Vienna"),
    ("Switzerland", "Bern"), ("Greece", "Athens"), ("Turkey", "Ankara"), ("Ireland", "Dublin"),
    ("United Kingdom", "London"), ("United States", "Washington"), ("Peru", "Lima"),
    ("Chile", "Santiago"), ("Colombia", "Bogota"), ("Venezuela", "Caracas"), ("Cuba", "Havana"),
    ("South Korea", "Seoul"), ("Thailand", "Bangkok"), ("Vietnam", "Hanoi"),
    ("Indonesia", "Jakarta"), ("Philippines", "Manila"), ("Malaysia", "Kuala Lumpur"),
    ("Pakistan", "Islamabad"), ("Iran", "Tehran"), ("Iraq", "Baghdad"), ("Saudi Arabia", "Riyadh"),
    ("Israel", "Jerusalem"), ("Morocco", "Rabat"), ("Algeria", "Algiers"), ("Tunisia", "Tunis"),
    ("Ethiopia", "Addis Ababa"), ("Ghana", "Accra"), ("South Africa", "Pretoria"),
    ("New Zealand", "Wellington"), ("Hungary", "Budapest"), ("Czechia", "Prague"),
    ("Romania", "Bucharest"), ("Bulgaria", "Sofia"), ("Serbia", "Belgrade"), ("Croatia", "Zagreb"),
    ("Slovakia", "Bratislava"), ("Slovenia", "Ljubljana"), ("Iceland", "Reykjavik"),
    ("Estonia", "Tallinn"), ("Latvia", "Riga"), ("Lithuania", "Vilnius"), ("Mongolia", "Ulaanbaatar"),
    ("Nepal", "Kathmandu"), ("Bangladesh", "Dhaka"), ("Sri Lanka", "Colombo"),
    ("Afghanistan", "Kabul"), ("Qatar", "Doha"), ("Jordan", "Amman"), ("Lebanon", "Beirut"),
    ("Syria", "Damascus"), ("Uganda", "Kampala"), ("Tanzania", "Dodoma"), ("Senegal", "Dakar"),
    ("Bolivia", "Sucre"), ("Ecuador", "Quito"), ("Uruguay", "Montevideo"), ("Paraguay", "Asuncion"),
    ("Jamaica", "Kingston"), ("Luxembourg", "Luxembourg"), ("Cyprus", "Nicosia"), ("Malta", "Valletta"),
]

# Other fixed facts: (question stem, answer sentence).
ELEMENTS = [("hydrogen", "H"), ("helium", "He"), ("carbon", "C"), ("nitrogen", "N"), ("oxygen", "O"),
            ("sodium", "Na"), ("iron", "Fe"), ("gold", "Au"), ("silver", "Ag"), ("copper", "Cu"),
            ("lead", "Pb"), ("tin", "Sn"), ("zinc", "Zn"), ("calcium", "Ca"), ("potassium", "K"),
            ("sulfur", "S"), ("neon", "Ne"), ("uranium", "U"), ("mercury", "Hg"), ("chlorine", "Cl")]

# Real cities used in weather calls during training. EVAL_UNSEEN_CITIES never appear in training data.
SEEN_CITIES = sorted({c for _, c in CAPITALS} | {
    "Chicago", "Boston", "Seattle", "Denver", "Houston", "Toronto", "Vancouver", "Montreal", "Sydney",
    "Melbourne", "Munich", "Hamburg", "Milan", "Naples", "Barcelona", "Seville", "Lyon", "Marseille",
    "Osaka", "Kyoto", "Shanghai", "Mumbai", "Istanbul", "Manchester", "Glasgow", "Zurich", "Geneva",
    "Porto", "Krakow", "Gdansk", "Rotterdam", "Antwerp", "Dubai", "Singapore", "Hong Kong", "Lagos",
    "Cape Town", "Rio de Janeiro", "Sao Paulo", "Austin", "Miami", "Atlanta", "Phoenix", "Dallas",
    "San Francisco", "Los Angeles", "New York", "Edinburgh", "Bristol", "Leeds", "Valencia", "Bilbao",
    "Florence", "Venice", "Turin", "Cologne", "Frankfurt", "Stuttgart", "Dresden", "Leipzig"})
EVAL_UNSEEN_CITIES = [
    "Tromso", "Bergamo", "Ghent", "Utrecht", "Graz", "Linz", "Brno", "Ostrava", "Poznan", "Lodz",
    "Tartu", "Kaunas", "Debrecen", "Cluj", "Varna", "Split", "Plovdiv", "Aarhus", "Malmo", "Turku",
    "Tampere", "Uppsala", "Bergen", "Trondheim", "Nantes", "Rennes", "Lille", "Dijon", "Grenoble",
    "Toulouse", "Bordeaux", "Palermo", "Bari", "Verona", "Padua", "Granada", "Malaga", "Zaragoza",
    "Coimbra", "Braga", "Leiden", "Delft", "Aachen", "Bremen", "Kassel", "Mainz", "Freiburg",
    "Salzburg", "Basel", "Lucerne", "Winnipeg", "Halifax", "Calgary", "Adelaide", "Hobart", "Perth",
    "Fresno", "Tucson", "Boise", "Omaha", "Tulsa", "Spokane", "Eugene", "Madison", "Dayton", "Akron",
]

# Made-up names: composed from syllables so the model learns to copy character-level variety
# (issue 11: unseen city names were copied exactly only 6% of the time without this).
_ONSETS = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
           "br", "ch", "cl", "dr", "gr", "kr", "pl", "sh", "st", "th", "tr", "qu", "x", "y", "sk", "fl"]
_VOWELS = ["a", "e", "i", "o", "u", "ae", "ai", "ou", "ei", "y", "ee", "oo", "ia", "io"]
_CODAS = ["", "", "", "n", "r", "l", "s", "m", "k", "t", "nd", "rg", "sk", "th", "x", "ck", "ng", "st"]


def made_up_name(rng, min_syl=1, max_syl=4):
    n = rng.randint(min_syl, max_syl)
    s = ""
    for i in range(n):
        if i == 0 and rng.random() < 0.2:
            s += rng.choice(_VOWELS)
        else:
            s += rng.choice(_ONSETS) + rng.choice(_VOWELS)
        if rng.random() < 0.4:
            s += rng.choice(_CODAS)
    s = s.capitalize()
    if rng.random() < 0.08:
        s += rng.choice([" ", "-"]) + made_up_name(rng, 1, 2)
    return s


FIRST_NAMES = ["Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Irene", "Jack",
               "Karen", "Liam", "Maria", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sam", "Tara",
               "Umar", "Vera", "Wei", "Ximena", "Yuki", "Zoe", "Ana", "Ivan", "Lena", "Omar"]


def person_name(rng):
    return rng.choice(FIRST_NAMES) if rng.random() < 0.5 else made_up_name(rng, 1, 3)


# Tool schemas (OpenAI "tools" entries). The evaluation sends exactly WEATHER_TOOL.
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather for a city.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "The city name, e.g. Paris"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"}},
        "required": ["city"]}}}
SEARCH_TOOL = {"type": "function", "function": {
    "name": "web_search", "description": "Search the web and return the top results.",
    "parameters": {"type": "object", "properties": {
        "query": {"type": "string", "description": "The search query"}}, "required": ["query"]}}}
CALC_TOOL = {"type": "function", "function": {
    "name": "calculator", "description": "Evaluate an arithmetic expression.",
    "parameters": {"type": "object", "properties": {
        "expression": {"type": "string", "description": "The expression, e.g. 12 * 7"}},
        "required": ["expression"]}}}
ALL_TOOLS = [WEATHER_TOOL, SEARCH_TOOL, CALC_TOOL]

SYSTEM_PROMPTS = ["You are a helpful assistant.", "You are a helpful assistant. Answer briefly.",
                  "You are hyserve's small demo model.", "Be concise.", "You are a friendly assistant.",
                  "Answer the user's questions accurately."]


def vary_case(rng, s, upper=0.05, upper_max_len=40):
    """The user's own wording: sometimes all lower case or ALL CAPS, sometimes without the final
    punctuation. The evaluation draws with the defaults; training raises `upper` (gen_data.user), since a
    name read in capitals must still be called as `Paris`, and that mapping is learnt per sub-word piece."""
    r = rng.random()
    if r < 0.2:
        s = s.lower()
    elif r < 0.2 + upper:
        s = s.upper() if len(s) < upper_max_len else s
    elif r < 0.3 + upper and s[:1].isalpha():
        s = s[0].lower() + s[1:]
    r = rng.random()
    if r < 0.15 and s and s[-1] in "?.!":
        s = s[:-1]
    elif r < 0.2 and s and s[-1] in "?.!":
        s = s[:-1] + " " + s[-1] if rng.random() < 0.5 else s + s[-1]
    return s


CAPITAL_Q = ["What is the capital of {c}?", "What's the capital of {c}?", "capital of {c}?",
             "Which city is the capital of {c}?", "Tell me the capital of {c}.", "Name the capital of {c}.",
             "What is {c}'s capital?", "Do you know the capital of {c}?", "{c} capital?",
             "What city is the capital of {c}?", "Can you tell me what the capital of {c} is?",
             "I need the capital of {c}.", "The capital of {c} is?", "Capital city of {c}, please."]
CAPITAL_A = ["The capital of {c} is {k}.", "{k} is the capital of {c}.", "The capital of {c} is {k}."]

ELEMENT_Q = ["What is the chemical symbol for {e}?", "Symbol of {e}?", "What's the symbol of {e}?",
             "Which chemical symbol does {e} have?"]

ADD_Q = ["What is {a} + {b}?", "What is {a} plus {b}?", "{a} + {b} = ?", "Compute {a} + {b}.",
         "Add {a} and {b}.", "What's {a}+{b}?", "Calculate {a} + {b}", "How much is {a} plus {b}?",
         "What is the sum of {a} and {b}?", "{a}+{b}", "Please add {a} to {b}."]
SUB_Q = ["What is {a} - {b}?", "What is {a} minus {b}?", "{a} - {b} = ?", "Compute {a} - {b}.",
         "Subtract {b} from {a}.", "What's {a}-{b}?", "Calculate {a} - {b}", "How much is {a} minus {b}?",
         "What is the difference of {a} and {b}?", "{a}-{b}", "Take {b} away from {a}."]
MUL_Q = ["What is {a} times {b}?", "What is {a} * {b}?", "{a} x {b} = ?", "Multiply {a} by {b}.",
         "What's {a}*{b}?", "Compute {a} × {b}.", "How much is {a} times {b}?", "{a}*{b}"]

WEATHER_Q = ["What's the weather in {c}?", "What is the weather like in {c}?", "Weather in {c}?",
             "How is the weather in {c} today?", "Is it raining in {c}?", "Tell me the weather for {c}.",
             "Check the weather in {c}.", "weather {c}", "Can you get me the current weather in {c}?",
             "How warm is it in {c} right now?", "I'm going to {c}. What's the weather there?",
             "What's the temperature in {c}?", "Get the weather for {c}, please."]
WEATHER_Q2 = ["What's the weather in {c} and {d}?", "Compare the weather in {c} and {d}.",
              "Weather in {c} and in {d}?", "How is the weather in {c} and {d} today?",
              "Check the weather for {c} and for {d}."]
SEARCH_Q = ["Search the web for {q}.", "Look up {q} online.", "Can you search for {q}?",
            "Find information about {q}.", "Please do a web search on {q}."]
CALC_Q = ["Use the calculator to compute {e}.", "Calculate {e} with the calculator.",
          "Please use the calculator: {e}", "What does the calculator say for {e}?"]
SEARCH_TOPICS = ["the history of {n}", "{n} restaurants", "news about {n}", "how to grow tomatoes",
                 "the tallest mountain", "cheap flights to {n}", "the population of {n}",
                 "the best hiking trails near {n}", "how rainbows form", "the rules of chess",
                 "the {n} festival", "train times to {n}"]
CONDITIONS = ["sunny", "cloudy", "rainy", "windy", "foggy", "snowing", "clear", "partly cloudy", "stormy"]

JSON_PERSON_Q = ["Give me a JSON object with the name and age of a person called {n} who is {a}.",
                 "Return JSON with keys name and age for {n}, age {a}.",
                 "Write a JSON object for a person named {n}, {a} years old.",
                 "As JSON: name {n}, age {a}.", "Output a JSON object: {n} is {a} years old.",
                 "Create JSON with fields name and age. Name: {n}. Age: {a}."]
JSON_CITY_Q = ["Give me a JSON object with the city and country for {k}.",
               "Return JSON with keys city and country for {k}.",
               "Output JSON describing {k}: its city name and its country.",
               "As a JSON object, which country is {k} the capital of? Use keys city and country."]
JSON_LIST_Q = ["Give me a JSON array of the numbers from {a} to {b}.", "List the numbers {a} to {b} as a JSON array.",
               "Return a JSON list with the integers from {a} to {b}."]

SMALL_TALK = [
    (["Hello!", "Hi", "Hey there", "Good morning!", "hello", "Hi!"],
     ["Hello! How can I help you today?", "Hi! What can I do for you?", "Hello! How can I help?"]),
    (["How are you?", "How are you doing?", "how are you today?"],
     ["I'm doing well, thank you! How can I help you?", "I'm fine, thanks for asking. What can I do for you?"]),
    (["Thank you!", "Thanks", "thanks a lot", "Thank you very much."],
     ["You're welcome!", "You're welcome! Anything else?", "Glad I could help!"]),
    (["Who are you?", "What are you?", "What is your name?"],
     ["I am a small demo model served by hyserve. I can answer simple questions, do arithmetic, "
      "call tools and write JSON.", "I'm hyserve's small demo assistant."]),
    (["Bye!", "Goodbye", "See you later."], ["Goodbye! Have a nice day.", "Bye! Take care."]),
    (["What can you do?", "What are you able to do?"],
     ["I can answer simple questions such as capitals, do arithmetic step by step, call tools like "
      "a weather service, and write JSON."]),
]

COPY_Q = ["Repeat after me: {n}", "Say \"{n}\".", "Please repeat this word: {n}", "Echo: {n}",
          "My name is {n}.", "Spell the name {n} exactly as I wrote it."]


def add_reasoning(a, b):
    """Digit-by-digit column addition, right to left (issue 11: multi-step answers need reasoning)."""
    da, db = str(a)[::-1], str(b)[::-1]
    carry, lines, digits = 0, [], []
    names = ["ones", "tens", "hundreds", "thousands"]
    for i in range(max(len(da), len(db))):
        x = int(da[i]) if i < len(da) else 0
        y = int(db[i]) if i < len(db) else 0
        s = x + y + carry
        term = f"{x} + {y}" + (f" + {carry}" if carry else "")
        nc = s // 10
        lines.append(f"{names[i].capitalize()}: {term} = {s}" + (f", write {s % 10}, carry {nc}." if nc else "."))
        digits.append(s % 10)
        carry = nc
    if carry:
        lines.append(f"Carry {carry} to the {names[len(digits)]}.")
    lines.append(f"So {a} + {b} = {a + b}.")
    return "\n".join(lines)


def sub_reasoning(a, b):
    """Column subtraction with borrows; a negative difference is computed as -(b - a)."""
    if a < b:
        return f"{b} is larger than {a}, so compute {b} - {a} and make it negative.\n" + \
            sub_reasoning(b, a).rsplit("\n", 1)[0] + f"\nSo {a} - {b} = {a - b}."
    da, db = str(a)[::-1], str(b)[::-1]
    borrow, lines = 0, []
    names = ["ones", "tens", "hundreds", "thousands"]
    for i in range(len(da)):
        x = int(da[i]) - borrow
        y = int(db[i]) if i < len(db) else 0
        xs = f"{da[i]} - {borrow}" if borrow else f"{da[i]}"
        if x < y:
            lines.append(f"{names[i].capitalize()}: {xs} is less than {y}, borrow: {x + 10} - {y} = {x + 10 - y}.")
            borrow = 1
        else:
            lines.append(f"{names[i].capitalize()}: {xs} - {y} = {x - y}.")
            borrow = 0
    lines.append(f"So {a} - {b} = {a - b}.")
    return "\n".join(lines)


def random_operands(rng, op):
    if op == "mul":
        return rng.randint(1, 12), rng.randint(1, 12)
    digits = rng.choice([1, 2, 2, 2, 3])
    a = rng.randint(10 ** (digits - 1) if digits > 1 else 0, 10 ** digits - 1)
    b = rng.randint(0 if rng.random() < 0.3 else 10 ** (rng.choice([1, digits]) - 1), 10 ** digits - 1)
    return a, b


def weather_result(rng, city, unit):
    t = rng.randint(-10, 35)
    if unit == "fahrenheit":
        t = round(t * 9 / 5 + 32)
    return {"city": city, "temperature": t, "unit": unit or "celsius", "condition": rng.choice(CONDITIONS)}


def new_rng(seed):
    return random.Random(seed)
