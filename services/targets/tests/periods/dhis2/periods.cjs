// DHIS2's own fixed periods, as its front-end library generates them, written to stdout as JSON for
// ../test_dhis2_library.py: node periods.cjs FIRST_YEAR LAST_YEAR PERIOD_TYPE...
// Each period is generated (generateFixedPeriods); the first and last of each year and type, where the
// ISO week-years and the financial years turn, are also read back from their identifier
// (createFixedPeriodFromPeriodId, some 15 ms a call), so the test sees if the library disagrees with itself.
// Nothing here reads the clock: generateFixedPeriods only does with `endsBefore`.
'use strict'

const { generateFixedPeriods, createFixedPeriodFromPeriodId } = require('@dhis2/multi-calendar-dates')

const [first, last, ...periodTypes] = process.argv.slice(2)
const YEARLY_TYPES = new Set(['YEARLY', 'FYAPR', 'FYJUL', 'FYOCT', 'FYNOV'])
const periods = []
for (let year = Number(first); year <= Number(last); year++) {
    for (const periodType of periodTypes) {
        const generated = generateFixedPeriods({
            year,
            periodType,
            calendar: 'gregory',
            locale: 'en',
            // Yearly types list ten years back from `year` by default; one year each is enough here.
            yearsCount: YEARLY_TYPES.has(periodType) ? 1 : undefined,
        })
        generated.forEach((period, index) => {
            const edge = index === 0 || index === generated.length - 1
            const read = edge && createFixedPeriodFromPeriodId({ periodId: period.id, calendar: 'gregory' })
            periods.push({
                year,
                periodType: period.periodType,
                id: period.id,
                startDate: period.startDate,
                endDate: period.endDate,
                readBack: read
                    ? { periodType: read.periodType, id: read.id, startDate: read.startDate, endDate: read.endDate }
                    : null,
            })
        })
    }
}
const { version } = JSON.parse(
    require('fs').readFileSync(require.resolve('@dhis2/multi-calendar-dates').replace(/build[\\/]cjs[\\/]index\.js$/, 'package.json'), 'utf8'),
)
process.stdout.write(JSON.stringify({ library: version, periods }))
