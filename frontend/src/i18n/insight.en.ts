// Fan insight: how a creator's releases were heard and bought, per day.
// Merged into the catalog by ./index.
export default {
  insight: {
    title: 'Insight',
    lead: 'Counted without following anyone: no listener is kept with a count, and no third-party scripts run on your pages.',
    release: 'Release', all: 'All releases', period: 'Period', days: 'Last {n} days',
    plays: 'Plays in the app', previews: 'Previews on the web', sales: 'Sales', gross: 'Fans paid', conversion: 'Preview to sale',
    conversionNote: 'Sales for every 100 previews started in the period.', noConversion: '—',
    countries: 'Top countries', countriesNone: 'No sale with a known country in this period.', colCountry: 'Country', colSales: 'Sales',
    chart: 'Plays, previews and sales per day',
    export: 'Export CSV', saved: 'Saved to {path}.',
    playsNote: 'A play is a bought track heard in the app for 30 seconds, or half of a short one.',
  },
}
