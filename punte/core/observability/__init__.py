"""What the people who run Punte watch: readiness (`/readyz`), metrics for Prometheus
(`/metrics`), error reports to Sentry. Logs are `punte.core.logging`. How to wire each is in the
README's production section; why they look as they do, ADR 0038."""
