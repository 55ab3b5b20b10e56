"""The demo's pictures, drawn with Pillow when `load_demo` runs: nothing is downloaded.

Two designs at the share size (1200 by 630 pixels): `hero`, an illustration with no words in it (the
page says the words, in text), and `share`, the same illustration beside the campaign's headline and
ask, for social media cards, where the picture is all people see. The words of both are in demo.toml.
"""

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
BRAND = (44, 26, 92)
NIGHT = (22, 12, 48)
FOCUS = (255, 191, 71)
WHITE = (255, 255, 255)
BUBBLE_CHILD = (206, 232, 255)
BUBBLE_STRANGER = (236, 233, 245)


def _gradient(width, height):
    """A vertical gradient from the brand purple to a night blue."""
    canvas = Image.new("RGB", (width, height), BRAND)
    draw = ImageDraw.Draw(canvas)
    for y in range(height):
        mix = y / (height - 1)
        colour = tuple(round(a + (b - a) * mix) for a, b in zip(BRAND, NIGHT, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    return canvas


def _illustration(canvas, left):
    """A phone showing a chat, its lower half behind a dark padlock, beside a shield; `left` is the x."""
    draw = ImageDraw.Draw(canvas, "RGBA")
    # Stars: a few dots, placed by arithmetic so every run draws the same picture.
    for n in range(40):
        x, y = (n * 137) % WIDTH, (n * 71) % (HEIGHT // 2)
        draw.ellipse((x, y, x + 3, y + 3), fill=(255, 255, 255, 90))
    top = 60
    draw.rounded_rectangle(
        (left, top, left + 300, top + 540), radius=40, fill=(12, 8, 28), outline=WHITE, width=6
    )
    draw.rounded_rectangle((left + 22, top + 50, left + 278, top + 500), radius=16, fill=(250, 249, 253))
    draw.rounded_rectangle((left + 115, top + 20, left + 185, top + 30), radius=5, fill=(90, 80, 120))
    bubbles = [
        (left + 40, top + 80, left + 220, top + 130, BUBBLE_STRANGER),
        (left + 80, top + 150, left + 260, top + 200, BUBBLE_CHILD),
        (left + 40, top + 220, left + 240, top + 270, BUBBLE_STRANGER),
        (left + 100, top + 290, left + 260, top + 340, BUBBLE_CHILD),
        (left + 40, top + 360, left + 230, top + 410, BUBBLE_STRANGER),
    ]
    for x0, y0, x1, y1, colour in bubbles:
        draw.rounded_rectangle((x0, y0, x1, y1), radius=18, fill=colour)
        for line in range(2):
            ly = y0 + 14 + line * 16
            draw.rounded_rectangle((x0 + 14, ly, x1 - 30 - line * 30, ly + 8), radius=4, fill=(120, 112, 150))
    # The hiding place: a shadow over the lower half of the chat, and a padlock on it.
    draw.rectangle((left + 22, top + 280, left + 278, top + 500), fill=(12, 8, 28, 215))
    lock_x, lock_y = left + 150, top + 390
    draw.arc((lock_x - 42, lock_y - 90, lock_x + 42, lock_y - 6), 180, 360, fill=(190, 180, 220), width=14)
    draw.line((lock_x - 42, lock_y - 48, lock_x - 42, lock_y - 20), fill=(190, 180, 220), width=14)
    draw.line((lock_x + 42, lock_y - 48, lock_x + 42, lock_y - 20), fill=(190, 180, 220), width=14)
    draw.rounded_rectangle(
        (lock_x - 62, lock_y - 24, lock_x + 62, lock_y + 66), radius=12, fill=(190, 180, 220)
    )
    draw.ellipse((lock_x - 12, lock_y + 6, lock_x + 12, lock_y + 30), fill=(12, 8, 28))
    # The shield the campaign asks for, overlapping the phone.
    sx, sy = left + 300, top + 330
    shield = [
        (sx, sy),
        (sx + 110, sy + 30),
        (sx + 100, sy + 150),
        (sx, sy + 220),
        (sx - 100, sy + 150),
        (sx - 110, sy + 30),
    ]
    draw.polygon(shield, fill=FOCUS, outline=WHITE, width=6)
    draw.line(
        [(sx - 45, sy + 105), (sx - 10, sy + 140), (sx + 55, sy + 70)], fill=BRAND, width=20, joint="curve"
    )


def _font(size):
    return ImageFont.load_default(size=size)


def _wrap(draw, text, font, width):
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def draw_hero():
    """The hero: the illustration on the right of a wide gradient, no words."""
    canvas = _gradient(WIDTH, HEIGHT)
    draw = ImageDraw.Draw(canvas, "RGBA")
    # Soft circles behind the phone, so the picture reads at a phone's width too.
    draw.ellipse((200, -120, 1000, 680), fill=(255, 255, 255, 18))
    draw.ellipse((350, 30, 850, 530), fill=(255, 191, 71, 28))
    _illustration(canvas, left=450)
    return canvas


def draw_share(headline, ask, name):
    """The share card: the headline and the ask on the left, the illustration on the right."""
    canvas = _gradient(WIDTH, HEIGHT)
    _illustration(canvas, left=800)
    draw = ImageDraw.Draw(canvas)
    heading_font, ask_font, name_font = _font(60), _font(38), _font(32)
    y = 80
    draw.text((70, y), name.upper(), font=name_font, fill=FOCUS)
    y += 70
    for line in _wrap(draw, headline, heading_font, 640):
        draw.text((70, y), line, font=heading_font, fill=WHITE)
        y += 74
    y += 30
    ask_width = draw.textlength(ask, font=ask_font)
    draw.rounded_rectangle((70, y, 70 + ask_width + 60, y + 76), radius=12, fill=FOCUS)
    draw.text((100, y + 17), ask, font=ask_font, fill=BRAND)
    return canvas


DESIGNS = {"hero": draw_hero, "share": draw_share}
