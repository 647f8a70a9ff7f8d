package web

// englishHouseholds translates the household (包户) parts of the pages.
var englishHouseholds = map[string]string{
	"同户（包户）": "Household",
	"同住":     "with",
}
