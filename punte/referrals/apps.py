from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "punte.referrals"
    label = "referrals"
    verbose_name = "Referrals"
