from django.utils.translation import gettext_lazy

from o2o.core.errors import Invalid


class InvalidVideo(Invalid):
    code, default_message = "invalid_video", gettext_lazy("This file is not an MP4 or WebM video.")


class VideoTooLarge(Invalid):
    code, default_message = "video_too_large", gettext_lazy("The video is too large.")


class InvalidPhoto(Invalid):
    code, default_message = "invalid_photo", gettext_lazy("This file is not a readable image.")
