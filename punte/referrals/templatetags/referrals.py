from django import template

from punte.referrals.naming import referral_name as _referral_name

register = template.Library()


@register.filter
def referral_name(referral) -> str:
    """{{ referral|referral_name }}: the one name of a referral (punte.referrals.naming)."""
    return _referral_name(referral)
