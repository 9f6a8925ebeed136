"""Word lists of the synthetic shop: its category tree, brands, title adjectives and devices.

Kept apart from the generator so the generator reads as the model it is, and the lists can grow freely.
Each sub-category holds the nouns its item titles end with and a typical price.
"""

from __future__ import annotations

__all__ = ["ADJECTIVES", "BRANDS", "DEVICES", "TAXONOMY"]

DEVICES = ("mobile", "desktop", "tablet")

# CATEGORY_L1 -> CATEGORY_L2 -> (title nouns, typical price). The L1 order is used by demo._device_weights.
TAXONOMY: dict[str, dict[str, tuple[tuple[str, ...], float]]] = {
    "Apparel": {
        "Jackets": (("Rain Jacket", "Puffer Jacket", "Denim Jacket", "Windbreaker"), 89.0),
        "T-Shirts": (("Crew Tee", "V-Neck Tee", "Graphic Tee", "Pocket Tee"), 19.0),
        "Jeans": (("Slim Jeans", "Straight Jeans", "Relaxed Jeans"), 49.0),
        "Dresses": (("Wrap Dress", "Maxi Dress", "Shirt Dress"), 59.0),
        "Socks": (("Ankle Socks", "Crew Socks", "Wool Socks"), 9.0),
    },
    "Footwear": {
        "Running": (("Running Shoe", "Trail Runner", "Racing Flat"), 99.0),
        "Sneakers": (("Court Sneaker", "Canvas Sneaker", "High-Top"), 69.0),
        "Boots": (("Hiking Boot", "Chelsea Boot", "Work Boot"), 129.0),
        "Sandals": (("Slide Sandal", "Sport Sandal", "Flip-Flop"), 29.0),
        "Slippers": (("Moccasin Slipper", "Fleece Slipper"), 24.0),
    },
    "Beauty": {
        "Skincare": (("Face Serum", "Night Cream", "Clay Mask", "Toner"), 29.0),
        "Makeup": (("Lip Tint", "Mascara", "Foundation", "Eyeliner"), 19.0),
        "Haircare": (("Shampoo", "Conditioner", "Hair Oil"), 14.0),
        "Fragrance": (("Eau de Parfum", "Body Mist", "Cologne"), 59.0),
        "Bath": (("Bath Bomb", "Shower Gel", "Body Scrub"), 9.0),
    },
    "Electronics": {
        "Headphones": (("Wireless Earbuds", "Over-Ear Headphones", "Sport Earphones"), 79.0),
        "Laptops": (("Ultrabook", "Gaming Laptop", "Chromebook"), 899.0),
        "Phones": (("Smartphone", "Phone Case", "Charging Cable"), 299.0),
        "Cameras": (("Action Camera", "Mirrorless Camera", "Webcam"), 249.0),
        "Smart Home": (("Smart Speaker", "Smart Plug", "Video Doorbell"), 49.0),
    },
    "Home": {
        "Kitchen": (("Chef Knife", "Cast Iron Pan", "Stand Mixer", "Kettle"), 49.0),
        "Bedding": (("Duvet Cover", "Pillow Set", "Weighted Blanket"), 69.0),
        "Decor": (("Table Lamp", "Wall Mirror", "Vase", "Throw Pillow"), 39.0),
        "Furniture": (("Bookshelf", "Desk Chair", "Side Table"), 199.0),
        "Storage": (("Storage Bin", "Shoe Rack", "Drawer Organizer"), 24.0),
    },
    "Sports": {
        "Fitness": (("Yoga Mat", "Dumbbell Set", "Resistance Band"), 34.0),
        "Cycling": (("Bike Helmet", "Bike Light", "Cycling Gloves"), 44.0),
        "Camping": (("Tent", "Sleeping Bag", "Camp Stove"), 119.0),
        "Swimming": (("Swim Goggles", "Swimsuit", "Swim Cap"), 24.0),
        "Team Sports": (("Soccer Ball", "Basketball", "Shin Guards"), 29.0),
    },
    "Books": {
        "Fiction": (("Novel", "Short Stories", "Thriller"), 14.0),
        "Cooking": (("Cookbook", "Baking Guide"), 24.0),
        "Travel": (("Travel Guide", "Road Atlas"), 19.0),
        "Science": (("Science Primer", "Field Guide"), 22.0),
        "Children": (("Picture Book", "Bedtime Stories"), 9.0),
    },
    "Toys": {
        "Building": (("Brick Set", "Marble Run", "Magnetic Tiles"), 39.0),
        "Puzzles": (("Jigsaw Puzzle", "Puzzle Cube", "Brain Teaser"), 15.0),
        "Games": (("Board Game", "Card Game", "Party Game"), 25.0),
        "Plush": (("Teddy Bear", "Plush Dragon", "Plush Fox"), 19.0),
        "Outdoor": (("Kite", "Water Blaster", "Scooter"), 35.0),
    },
}

# (BRAND, top-level categories it sells in)
BRANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Northpeak", ("Apparel", "Sports")),
    ("Urbanite", ("Apparel", "Footwear")),
    ("Cottonfield", ("Apparel",)),
    ("Veloce", ("Footwear", "Sports")),
    ("Stridewell", ("Footwear",)),
    ("Lumiere", ("Beauty",)),
    ("Verdant", ("Beauty", "Home")),
    ("Glowhaus", ("Beauty",)),
    ("Voltix", ("Electronics",)),
    ("Arcwave", ("Electronics",)),
    ("Pixelon", ("Electronics", "Toys")),
    ("Hearthstone", ("Home",)),
    ("Oakline", ("Home",)),
    ("Brightside", ("Home", "Books")),
    ("Summitgear", ("Sports",)),
    ("Tidewater", ("Sports", "Apparel")),
    ("Inkwell", ("Books",)),
    ("Paperlane", ("Books",)),
    ("Tinkertown", ("Toys",)),
    ("Playfort", ("Toys",)),
    ("Moderna", ("Apparel", "Home")),
    ("Redfern", ("Footwear", "Apparel")),
    ("Kinetik", ("Sports", "Electronics")),
    ("Bloomery", ("Beauty", "Home")),
)

ADJECTIVES = (
    "Trailblazer", "Classic", "Everyday", "Urban", "Alpine", "Coastal", "Midnight", "Summit", "Breeze",
    "Heritage", "Nova", "Aurora", "Velvet", "Granite", "Lumen", "Harbor", "Cedar", "Willow", "Ember",
    "Atlas", "Horizon", "Pioneer", "Zephyr", "Meadow", "Canyon", "Glacier", "Solstice", "Drift", "Echo",
    "Orbit", "Prairie", "Quartz", "Sierra", "Tundra", "Vista", "Wander", "Cobalt", "Saffron", "Juniper",
    "Maple", "Onyx", "Pebble", "Rover", "Sable", "Timber", "Voyager", "Aspen", "Boulder", "Comet",
)  # fmt: skip
